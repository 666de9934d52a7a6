/**
 * Modelfile bytes → text, as Ollama reads them: UTF-8 unless a byte-order mark says otherwise
 * (UTF-8 BOM stripped, UTF-16 LE `FF FE`, UTF-16 BE `FE FF`). Invalid sequences become U+FFFD,
 * never an exception.
 */
export function decodeModelfile(input: string | Uint8Array): string {
  if (typeof input === 'string') return input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const b = input;
  let encoding = 'utf-8';
  if (b.length >= 2 && b[0] === 0xff && b[1] === 0xfe) encoding = 'utf-16le';
  else if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) encoding = 'utf-16be';
  // TextDecoder consumes the BOM of its own encoding (ignoreBOM defaults to false).
  return new TextDecoder(encoding, { fatal: false }).decode(b);
}
