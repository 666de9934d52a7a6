/** The vocabulary a GGUF chat template sees: BOS/EOS text and whether the tokenizer adds them. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readGGUF } from '../../../src/registry/gguf/index.js';
import { vocabOf } from '../../../src/server/inference/jinja.js';
import { u32, writeModel } from '../../helpers/gguf.js';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-vocab-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

async function vocab(extraMetadata: Parameters<typeof writeModel>[1] = {}) {
  const file = path.join(work, `${Math.random().toString(36).slice(2)}.gguf`);
  await writeModel(file, extraMetadata);
  return vocabOf(await readGGUF(file, { keepArrays: ['tokenizer.ggml.tokens'] }));
}

describe('vocabOf', () => {
  it('reads BOS/EOS text from the token list and the add flags', async () => {
    expect(await vocab()).toEqual({ bos: '<s>', eos: '</s>', addBos: true, addEos: false });
  });
  it('follows the ids and flags the file gives', async () => {
    const v = await vocab({ extraMetadata: { 'tokenizer.ggml.bos_token_id': u32(2), 'tokenizer.ggml.eos_token_id': u32(1), 'tokenizer.ggml.add_bos_token': false, 'tokenizer.ggml.add_eos_token': true } });
    expect(v).toEqual({ bos: '</s>', eos: '<s>', addBos: false, addEos: true });
  });
  it('an id past the vocabulary gives no text', async () => {
    expect((await vocab({ extraMetadata: { 'tokenizer.ggml.bos_token_id': u32(100000) } })).bos).toBe('');
  });
  it('without keepArrays the token list is not read, so nothing is guessed', async () => {
    const file = path.join(work, 'plain.gguf');
    await writeModel(file);
    expect(vocabOf(await readGGUF(file)).bos).toBe('');
  });
});
