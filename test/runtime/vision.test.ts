// The JavaScript side of images in a sequence (src/runtime/vision.ts): Ollama's tags onto libmtmd's
// marker, the image placeholders, and where a prompt with images resumes a sequence's cache.
import { describe, expect, it } from 'vitest';
import { imageTagsToMarkers, isPlaceholder, MEDIA_MARKER, placeholderToken, resumePosition, type VisionPrompt } from '../../src/runtime/vision.js';

const M = MEDIA_MARKER;

describe('imageTagsToMarkers (Ollama: the first [img-N] per image becomes the marker)', () => {
  it.each([
    ['[img-0]Describe', 1, `${M}Describe`],
    ['[img-0][img-1] two', 2, `${M}${M} two`],
    ['a [img-1] b [img-0] c', 2, `a ${M} b ${M} c`],
    ['[img-0] and [img-0] again', 1, `${M} and [img-0] again`],
    ['no tags', 1, 'no tags'],
    ['[img-3] beyond the images', 1, '[img-3] beyond the images'],
    ['$& [img-0] $1', 1, `$& ${M} $1`],
  ])('%j with %i image(s)', (prompt, n, want) => {
    expect(imageTagsToMarkers(prompt, n)).toBe(want);
  });
});

describe('placeholders', () => {
  it('are above any vocabulary, stable per image id, different across ids', () => {
    const a = placeholderToken('a'.repeat(64));
    expect(isPlaceholder(a)).toBe(true);
    expect(a).toBe(placeholderToken('a'.repeat(64)));
    expect(placeholderToken('b'.repeat(64))).not.toBe(a);
    expect(isPlaceholder(151_935)).toBe(false);
    expect(a).toBeLessThan(2 ** 31);
  });
});

describe('resumePosition', () => {
  const A = placeholderToken('image-a');
  const B = placeholderToken('image-b');
  const prompt = (tokens: number[], spans: Array<[number, number]>): VisionPrompt => ({ tokens, imageSpans: spans, nTokens: tokens.length, nImageTokens: 0 });
  const p = prompt([1, A, A, A, 5, 6, 7], [[1, 4]]);

  it('keeps the common prefix, short of the last token', () => {
    expect(resumePosition([], p)).toBe(0);
    expect(resumePosition([1, A, A, A, 5, 9], p)).toBe(5);
    expect(resumePosition([1, A, A, A, 5, 6, 7], p)).toBe(6);
    expect(resumePosition([1, A, A, A, 5, 6, 7, 8, 9], p)).toBe(6);
  });
  it('another image at the same place: resumes before it', () => {
    expect(resumePosition([1, B, B, B, 5, 6, 7], p)).toBe(1);
  });
  it('a cache ending inside the image resumes at its start', () => {
    expect(resumePosition([1, A, A], p)).toBe(1);
  });
});
