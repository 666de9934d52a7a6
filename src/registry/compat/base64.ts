/** Strict base64 decoding (standard alphabet, optional `=` padding); null for anything else. */
export function decodeBase64(s: string): Uint8Array | null {
  const body = s.replace(/=+$/, '');
  if (!/^[A-Za-z0-9+/]*$/.test(body) || body.length % 4 === 1) return null;
  return new Uint8Array(Buffer.from(body, 'base64'));
}
