/**
 * Image placeholders in rendered prompts. In the server Ollama's renderers write `[img-N]` tags
 * (the runner swaps them for the image embeddings): an explicit `[img]` in the text is replaced in
 * order, remaining images get their tags in front; text that already has `[img-` is left alone.
 */

/** Go's unicode.IsSpace. */
export function isGoSpace(ch: string): boolean {
  const c = ch.codePointAt(0)!;
  if (c <= 0xff) return c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0x85 || c === 0xa0;
  return c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000;
}

export function renderContentWithImageTags(content: string, imageCount: number, imageOffset: number): [string, number] {
  if (imageCount === 0) return [content, imageOffset];
  if (content.includes('[img-')) return [content, imageOffset + imageCount];
  let prefix = '';
  for (let i = 0; i < imageCount; i++) {
    const tag = `[img-${imageOffset + i}]`;
    if (content.includes('[img]')) content = content.replace('[img]', () => tag);
    else prefix += tag;
  }
  if (prefix !== '' && content !== '') {
    const first = String.fromCodePoint(content.codePointAt(0)!);
    if (first !== '\ufffd' && !isGoSpace(first)) prefix += ' ';
  }
  return [prefix + content, imageOffset + imageCount];
}
