import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatList } from '../../src/cli/list.js';
import { formatPs, processor } from '../../src/cli/ps.js';
import { formatShow, goG } from '../../src/cli/show.js';
import { infoSection, listTable } from '../../src/cli/table.js';

const golden = (name: string) => readFileSync(path.join(import.meta.dirname, 'testdata', name), 'utf8');

describe('list table', () => {
  it('matches Ollama’s test vector', () => {
    const out = listTable(['NAME', 'ID', 'SIZE', 'MODIFIED'], [
      ['model1', 'sha256:abc12', '1.0 KB', '24 hours ago'],
      ['model2', 'sha256:def45', '2.0 KB', '2 days ago'],
    ]);
    expect(out).toBe(
      'NAME      ID              SIZE      MODIFIED     \n' +
        'model1    sha256:abc12    1.0 KB    24 hours ago    \n' +
        'model2    sha256:def45    2.0 KB    2 days ago      \n',
    );
  });
  it('empty list prints the header only', () => {
    expect(formatList({ models: [] }, [])).toBe('NAME    ID    SIZE    MODIFIED \n');
  });
  it('formats /api/tags and filters by case-insensitive prefix', () => {
    const now = Date.parse('2026-01-10T12:00:00Z');
    const details = { parent_model: '', format: 'gguf', family: 'llama', families: ['llama'], parameter_size: '260K', quantization_level: 'F32' };
    const res = {
      models: [
        { name: 'stories:latest', model: 'stories:latest', modified_at: '2026-01-10T11:55:00Z', size: 1185376, digest: 'e9a5a3f1c2b4d6e8f0a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5a6b', details },
        { name: 'alice/qwen2:0.5b', model: 'alice/qwen2:0.5b', modified_at: '2026-01-08T12:00:00Z', size: 352_000_000, digest: '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', details },
      ],
    };
    expect(formatList(res, [], now)).toBe(golden('list.golden'));
    expect(formatList(res, ['STOR'], now)).toBe(golden('list-filtered.golden'));
  });
});

describe('ps table', () => {
  it.each([
    [100, 0, '100% CPU'],
    [100, 100, '100% GPU'],
    [100, 150, 'Unknown'],
    [0, 5, 'Unknown'],
    [100, 25, '75%/25% CPU/GPU'],
  ])('processor(%d, %d) = %s', (size, vram, want) => expect(processor(size, vram)).toBe(want));
  it('formats /api/ps', () => {
    const now = Date.parse('2026-01-10T12:00:00Z');
    const details = { parent_model: '', format: 'gguf', family: 'llama', families: ['llama'], parameter_size: '260K', quantization_level: 'F32' };
    const res = {
      models: [
        { name: 'stories:latest', model: 'stories:latest', size: 2_400_000, digest: 'e9a5a3f1c2b4d6e8f0a1b2c3d4e5f607', details, expires_at: '2026-01-10T12:04:30Z', size_vram: 0, context_length: 2048 },
        { name: 'gone:latest', model: 'gone:latest', size: 2_400_000, digest: 'aaaaaaaaaaaaaaaaaaaaaaaa', details, expires_at: '2026-01-10T11:00:00Z', size_vram: 0, context_length: 4096 },
      ],
    };
    expect(formatPs(res, [], now)).toBe(golden('ps.golden'));
  });
});

describe('show', () => {
  it('matches Ollama’s cmd_test vector', () => {
    expect(infoSection('Model', [['architecture', 'test'], ['parameters', '7B'], ['quantization', 'FP16']])).toBe(
      '  Model\n    architecture    test    \n    parameters      7B      \n    quantization    FP16    \n\n',
    );
  });
  it('formats a full show response', () => {
    const res = {
      details: { parent_model: '', format: 'gguf', family: 'llama', families: ['llama'], parameter_size: '260K', quantization_level: 'F32' },
      model_info: { 'general.architecture': 'llama', 'general.parameter_count': 260_000, 'llama.context_length': 2048, 'llama.embedding_length': 64 },
      capabilities: ['completion'],
      parameters: 'stop                           "<|eot_id|>"\ntemperature                    0.7',
      system: 'You are a storyteller.\nYou write for children.\nKeep it short.',
      license: 'MIT',
    };
    expect(formatShow(res, false)).toBe(golden('show.golden'));
  });
  it.each([
    [8e9, '8e+09'],
    [2048, '2048'],
    [151936, '151936'],
    [1e6, '1e+06'],
    [0.5, '0.5'],
    [1e-5, '1e-05'],
    [10000.5, '10000.5'],
  ])('goG(%d) = %s', (v, want) => expect(goG(v)).toBe(want));
});
