/**
 * Image (and WAV) file paths in a prompt, as Ollama's `ollama run` picks them up for a
 * multimodal model (cmd/interactive.go: extractFileNames, normalizeFilePath, extractFileData,
 * getImageData): the same pattern, the same unescaping, the same "Added image '…'" line on
 * stderr, the path taken out of the prompt, and the same errors.
 *
 * Facts kept from Ollama, on purpose:
 * - A path must start with `/`, `./`, `\` or a drive letter (`c:/`, `d:\`); `~` is not expanded
 *   and a bare `photo.png` is not a path. Extensions: jpg, jpeg, png, webp, wav (any case).
 * - A candidate that does not exist is left in the prompt, silently (it may not be a path).
 * - Any other failure (unreadable, a directory, not a JPEG/PNG/WebP/WAV by its bytes, over
 *   100 MB) prints `Couldn't process file: "…"` and fails the run.
 */
import fs from 'node:fs';

export const MAX_FILE_SIZE = 100 * 1024 * 1024;

/**
 * Go's `(?:[a-zA-Z]:)?(?:\./|/|\\)[\S\\ ]+?\.(?i:jpg|jpeg|png|webp|wav)\b`. Go's `\S` is ASCII
 * (not one of `\t\n\f\r `), so `[\S\\ ]` is anything but `\t\n\f\r`; `(?i:…)` is spelled out.
 */
const FILE_RE = /(?:[a-zA-Z]:)?(?:\.\/|\/|\\)[^\t\n\f\r]+?\.(?:[jJ][pP][gG]|[jJ][pP][eE][gG]|[pP][nN][gG]|[wW][eE][bB][pP]|[wW][aA][vV])\b/g;

export function extractFileNames(input: string): string[] {
  return [...input.matchAll(FILE_RE)].map((m) => m[0]);
}

/** Go's strings.NewReplacer of shell escapes: `\ `, `\(`, …, `\\`, `\~` lose their backslash. */
export function normalizeFilePath(fp: string): string {
  return fp.replace(/\\([ ()[\]{}$&;'\\*?~])/g, '$1');
}

/** Go's os.Open / Read error texts for the errno values a user meets. */
function goFileError(op: 'open' | 'read', p: string, err: NodeJS.ErrnoException): Error {
  const why: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EISDIR: 'is a directory',
    ENOTDIR: 'not a directory',
    ELOOP: 'too many levels of symbolic links',
    ENAMETOOLONG: 'file name too long',
    EIO: 'input/output error',
  };
  return new Error(`${op} ${p}: ${why[err.code ?? ''] ?? err.message}`);
}

export class FileNotFound extends Error {}

/** Ollama's getImageData: the file's bytes if its first 512 bytes sniff as JPEG, PNG, WebP or WAV. */
export function getImageData(p: string): Buffer {
  let fd: number;
  try {
    fd = fs.openSync(p, 'r');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') throw new FileNotFound(p);
    throw goFileError('open', p, err);
  }
  try {
    // Go sniffs the whole 512-byte buffer, zeros after a short read included.
    const head = Buffer.alloc(512);
    let n: number;
    try {
      n = fs.readSync(fd, head, 0, 512, 0);
    } catch (e) {
      throw goFileError('read', p, e as NodeJS.ErrnoException);
    }
    if (n === 0) throw new Error('EOF');
    const type = detectContentType(head);
    if (!['image/jpeg', 'image/jpg', 'image/png', 'image/webp', 'audio/wave'].includes(type)) throw new Error(`invalid file type: ${type}`);
    const size = fs.fstatSync(fd).size;
    if (size > MAX_FILE_SIZE) throw new Error('file size exceeds maximum limit (100MB)');
    const buf = Buffer.alloc(size);
    let off = 0;
    while (off < size) {
      const r = fs.readSync(fd, buf, off, size - off, off);
      if (r === 0) throw new Error('unexpected EOF');
      off += r;
    }
    return buf;
  } finally {
    fs.closeSync(fd);
  }
}

/** Go's strings.TrimSpace (Unicode White_Space, not U+FEFF). */
function trimSpace(s: string): string {
  return s.replace(/^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g, '');
}

export interface ExtractedFiles {
  prompt: string;
  /** Base64, as the API's `images` carries them. */
  images: string[];
}

/**
 * Ollama's extractFileData: reads each existing path, says `Added image '…'` (or `Added audio`)
 * on `err`, removes it from the prompt (quoted in single quotes or not) and trims the rest.
 * Throws after printing `Couldn't process file: "…"` when a file exists but cannot be used.
 */
export function extractFileData(input: string, err: (s: string) => void): ExtractedFiles {
  const images: string[] = [];
  for (const fp of extractFileNames(input)) {
    const nfp = normalizeFilePath(fp);
    let data: Buffer;
    try {
      data = getImageData(nfp);
    } catch (e) {
      if (e instanceof FileNotFound) continue;
      const msg = e instanceof Error ? e.message : String(e);
      err(`Couldn't process file: ${JSON.stringify(msg)}\n`);
      throw e;
    }
    err(nfp.toLowerCase().endsWith('.wav') ? `Added audio '${nfp}'\n` : `Added image '${nfp}'\n`);
    input = input.split(`'${nfp}'`).join('').split(`'${fp}'`).join('').split(fp).join('');
    images.push(data.toString('base64'));
  }
  return { prompt: trimSpace(input), images };
}

/**
 * Whether `ollama run` treats the model as multimodal (cmd.go): `vision` or `audio` among the
 * capabilities, or, from an older server, projector info or a `.vision.` model_info key.
 */
export function isMultimodal(info: { capabilities?: string[] | null; projector_info?: Record<string, unknown> | null; model_info?: Record<string, unknown> | null }): boolean {
  const caps = info.capabilities ?? [];
  if (caps.includes('vision') || caps.includes('audio')) return true;
  if (info.projector_info && Object.keys(info.projector_info).length > 0) return true;
  return Object.keys(info.model_info ?? {}).some((k) => k.includes('.vision.'));
}

// ---------------------------------------------------------------------------------------------
// Go's http.DetectContentType (net/http/sniff.go), for the "invalid file type: …" message.

type Sig = (data: Buffer, firstNonWS: number) => string;

const isWS = (b: number) => b === 0x09 || b === 0x0a || b === 0x0c || b === 0x0d || b === 0x20;
const isTT = (b: number) => b === 0x20 || b === 0x3e; // tag-terminating byte

function exact(pat: string, ct: string): Sig {
  const p = Buffer.from(pat, 'latin1');
  return (d) => (d.length >= p.length && d.subarray(0, p.length).equals(p) ? ct : '');
}
function masked(mask: string, pat: string, ct: string, skipWS = false): Sig {
  const m = Buffer.from(mask, 'latin1');
  const p = Buffer.from(pat, 'latin1');
  return (d, ws) => {
    const data = skipWS ? d.subarray(ws) : d;
    if (data.length < p.length) return '';
    for (let i = 0; i < p.length; i++) if ((data[i]! & m[i]!) !== p[i]) return '';
    return ct;
  };
}
function html(pat: string): Sig {
  const p = Buffer.from(pat, 'latin1');
  return (d, ws) => {
    const data = d.subarray(ws);
    if (data.length < p.length + 1) return '';
    for (let i = 0; i < p.length; i++) {
      let db = data[i]!;
      if (p[i]! >= 0x41 && p[i]! <= 0x5a) db &= 0xdf;
      if (p[i] !== db) return '';
    }
    return isTT(data[p.length]!) ? 'text/html; charset=utf-8' : '';
  };
}
const mp4: Sig = (d) => {
  if (d.length < 12) return '';
  const boxSize = d.readUInt32BE(0);
  if (d.length < boxSize || boxSize % 4 !== 0) return '';
  if (d.toString('latin1', 4, 8) !== 'ftyp') return '';
  for (let st = 8; st < boxSize; st += 4) {
    if (st === 12) continue;
    if (d.toString('latin1', st, st + 3) === 'mp4') return 'video/mp4';
  }
  return '';
};
const text: Sig = (d, ws) => {
  for (let i = ws; i < d.length; i++) {
    const b = d[i]!;
    if (b <= 0x08 || b === 0x0b || (b >= 0x0e && b <= 0x1a) || (b >= 0x1c && b <= 0x1f)) return '';
  }
  return 'text/plain; charset=utf-8';
};

const SIGS: Sig[] = [
  ...['<!DOCTYPE HTML', '<HTML', '<HEAD', '<SCRIPT', '<IFRAME', '<H1', '<DIV', '<FONT', '<TABLE', '<A', '<STYLE', '<TITLE', '<B', '<BODY', '<BR', '<P', '<!--'].map(html),
  masked('\xFF\xFF\xFF\xFF\xFF', '<?xml', 'text/xml; charset=utf-8', true),
  exact('%PDF-', 'application/pdf'),
  exact('%!PS-Adobe-', 'application/postscript'),
  masked('\xFF\xFF\x00\x00', '\xFE\xFF\x00\x00', 'text/plain; charset=utf-16be'),
  masked('\xFF\xFF\x00\x00', '\xFF\xFE\x00\x00', 'text/plain; charset=utf-16le'),
  masked('\xFF\xFF\xFF\x00', '\xEF\xBB\xBF\x00', 'text/plain; charset=utf-8'),
  exact('\x00\x00\x01\x00', 'image/x-icon'),
  exact('\x00\x00\x02\x00', 'image/x-icon'),
  exact('BM', 'image/bmp'),
  exact('GIF87a', 'image/gif'),
  exact('GIF89a', 'image/gif'),
  masked('\xFF\xFF\xFF\xFF\x00\x00\x00\x00\xFF\xFF\xFF\xFF\xFF\xFF', 'RIFF\x00\x00\x00\x00WEBPVP', 'image/webp'),
  exact('\x89PNG\x0D\x0A\x1A\x0A', 'image/png'),
  exact('\xFF\xD8\xFF', 'image/jpeg'),
  masked('\xFF\xFF\xFF\xFF\x00\x00\x00\x00\xFF\xFF\xFF\xFF', 'FORM\x00\x00\x00\x00AIFF', 'audio/aiff'),
  masked('\xFF\xFF\xFF', 'ID3', 'audio/mpeg'),
  masked('\xFF\xFF\xFF\xFF\xFF', 'OggS\x00', 'application/ogg'),
  masked('\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF', 'MThd\x00\x00\x00\x06', 'audio/midi'),
  masked('\xFF\xFF\xFF\xFF\x00\x00\x00\x00\xFF\xFF\xFF\xFF', 'RIFF\x00\x00\x00\x00AVI ', 'video/avi'),
  masked('\xFF\xFF\xFF\xFF\x00\x00\x00\x00\xFF\xFF\xFF\xFF', 'RIFF\x00\x00\x00\x00WAVE', 'audio/wave'),
  mp4,
  exact('\x1A\x45\xDF\xA3', 'video/webm'),
  masked('\x00'.repeat(34) + '\xFF\xFF', '\x00'.repeat(34) + 'LP', 'application/vnd.ms-fontobject'),
  exact('\x00\x01\x00\x00', 'font/ttf'),
  exact('OTTO', 'font/otf'),
  exact('ttcf', 'font/collection'),
  exact('wOFF', 'font/woff'),
  exact('wOF2', 'font/woff2'),
  exact('\x1F\x8B\x08', 'application/x-gzip'),
  exact('PK\x03\x04', 'application/zip'),
  exact('Rar!\x1A\x07\x00', 'application/x-rar-compressed'),
  exact('Rar!\x1A\x07\x01\x00', 'application/x-rar-compressed'),
  exact('\x00\x61\x73\x6D', 'application/wasm'),
  text,
];

/** Go's http.DetectContentType on (at most) the first 512 bytes. */
export function detectContentType(data: Buffer): string {
  const d = data.subarray(0, 512);
  let ws = 0;
  while (ws < d.length && isWS(d[ws]!)) ws++;
  for (const sig of SIGS) {
    const ct = sig(d, ws);
    if (ct) return ct;
  }
  return 'application/octet-stream';
}
