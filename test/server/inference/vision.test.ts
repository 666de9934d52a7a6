// Ollama's imageTaggedMessages (server/prompt.go), as src/server/inference/vision.ts writes it.
import { describe, expect, it } from 'vitest';
import { imageTaggedMessages, messageImages } from '../../../src/server/inference/vision.js';

describe('imageTaggedMessages', () => {
  it('numbers images across messages; tags go in front (no space) or replace [img] in order', () => {
    const msgs = [
      { role: 'system', content: 'sys' },
      { role: 'user', content: 'look', images: ['a', 'b'] },
      { role: 'assistant', content: 'ok' },
      { role: 'user', content: 'x [img] y', images: ['c', 'd'] },
      { role: 'user', content: '', images: ['e'] },
    ];
    const out = imageTaggedMessages(msgs, false);
    expect(out.map((m) => m.content)).toEqual(['sys', '[img-0][img-1]look', 'ok', '[img-3]x [img-2] y', '[img-4]']);
    expect(out[1]!.images).toEqual(['a', 'b']);
    expect(messageImages(out)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(imageTaggedMessages(msgs, true).some((m) => m.images)).toBe(false);
    expect(msgs[1]!.content).toBe('look'); // the input is not changed
  });
});
