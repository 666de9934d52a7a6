// Image paths in `ollama run` prompts (src/cli/filedata.ts): Ollama's cmd/interactive_test.go cases
// as data (TestExtractFilenames, TestExtractFileDataRemovesQuotedFilepath, TestExtractFileDataWAV),
// plus the path rules and the errors of getImageData.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { detectContentType, extractFileData, extractFileNames, isMultimodal, normalizeFilePath } from '../../src/cli/filedata.js';
import { testImages } from '../helpers/png.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-filedata-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

// Ollama: TestExtractFilenames, Unix-style input → the 7 names each match contains, in order.
const UNIX_INPUT = ` some preamble 
 ./relative\\ path/one.png inbetween1 ./not a valid two.jpg inbetween2 ./1.svg
/unescaped space /three.jpeg inbetween3 /valid\\ path/dir/four.png "./quoted with spaces/five.JPG
/unescaped space /six.webp inbetween6 /valid\\ path/dir/seven.WEBP`;
const UNIX_CONTAINS = ['one.png', 'two.jpg', 'three.jpeg', 'four.png', 'five.JPG', 'six.webp', 'seven.WEBP'];
// Windows-style input → 13 names; [contains, contains] per match.
const WINDOWS_INPUT = ` some preamble
 c:/users/jdoe/one.png inbetween1 c:/program files/someplace/two.jpg inbetween2 
 /absolute/nospace/three.jpeg inbetween3 /absolute/with space/four.png inbetween4
./relative\\ path/five.JPG inbetween5 "./relative with/spaces/six.png inbetween6
d:\\path with\\spaces\\seven.JPEG inbetween7 c:\\users\\jdoe\\eight.png inbetween8 
 d:\\program files\\someplace\\nine.png inbetween9 "E:\\program files\\someplace\\ten.PNG
c:/users/jdoe/eleven.webp inbetween11 c:/program files/someplace/twelve.WebP inbetween12
d:\\path with\\spaces\\thirteen.WEBP some ending
`;
const WINDOWS_CONTAINS: [string, string?][] = [
  ['one.png', 'c:'], ['two.jpg', 'c:'], ['three.jpeg'], ['four.png'], ['five.JPG'], ['six.png'], ['seven.JPEG', 'd:'],
  ['eight.png', 'c:'], ['nine.png', 'd:'], ['ten.PNG', 'E:'], ['eleven.webp', 'c:'], ['twelve.WebP', 'c:'], ['thirteen.WEBP', 'd:'],
];

describe('extractFileNames (Ollama\'s TestExtractFilenames)', () => {
  it('Unix-style paths', () => {
    const res = extractFileNames(UNIX_INPUT);
    expect(res).toHaveLength(7);
    UNIX_CONTAINS.forEach((c, i) => expect(res[i]).toContain(c));
    expect(res[4]).not.toContain('"');
    expect(res).not.toContain('inbetween1');
    expect(res).not.toContain('./1.svg');
  });
  it('Windows-style paths', () => {
    const res = extractFileNames(WINDOWS_INPUT);
    expect(res).toHaveLength(13);
    expect(res).not.toContain('inbetween2');
    WINDOWS_CONTAINS.forEach(([a, b], i) => {
      expect(res[i]).toContain(a);
      if (b) expect(res[i]).toContain(b);
    });
  });
  // The pattern's own rules, in Go's regexp semantics (leftmost-first, lazy, ASCII \b and \S).
  it.each([
    ['describe ./photo.png', ['./photo.png']],
    ['describe /abs/photo.PNG please', ['/abs/photo.PNG']],
    ['~/photo.png (no ~ expansion: only the part from the slash)', ['/photo.png']],
    ['photo.png (a bare name is not a path)', []],
    ['../up/photo.png', ['./up/photo.png']],
    ['a ./x.pngx b (not a word end)', []],
    ['./x.png.png', ['./x.png']],
    ["'./it\\'s here.jpg'", ["./it\\'s here.jpg"]],
    ['./a.jpg and ./b.webp and ./c.wav', ['./a.jpg', './b.webp', './c.wav']],
    ['./x.gif is not picked up', []],
    ['tab\t./x\t.png', []],
    ['/one\n/two.png', ['/two.png']],
  ] as [string, string[]][])('%j', (input, want) => {
    expect(extractFileNames(input)).toEqual(want);
  });
});

describe('normalizeFilePath: shell escapes lose their backslash', () => {
  it.each([
    ['./relative\\ path/one.png', './relative path/one.png'],
    ['/a\\(b\\)\\[c\\]\\{d\\}.png', '/a(b)[c]{d}.png'],
    ['/\\$\\&\\;\\\'\\*\\?\\~.png', "/$&;'*?~.png"],
    ['/a\\\\ b.png', '/a\\ b.png'],
    ['/a\\b.png', '/a\\b.png'],
  ])('%j → %j', (input, want) => {
    expect(normalizeFilePath(input)).toBe(want);
  });
});

describe('extractFileData', () => {
  const png = testImages.red();
  const write = (name: string, data: Buffer | string, mode?: number) => {
    const p = path.join(dir, name);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, data, mode === undefined ? undefined : { mode });
    return p;
  };
  const run = (input: string) => {
    const err: string[] = [];
    try {
      return { ...extractFileData(input, (s) => err.push(s)), err: err.join('') };
    } catch (e) {
      return { error: (e as Error).message, err: err.join('') };
    }
  };

  it("Ollama's TestExtractFileDataRemovesQuotedFilepath: a JPEG in single quotes goes, quotes and all", () => {
    const jpg = Buffer.alloc(600);
    Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0xff, 0xd9]).copy(jpg);
    const fp = write('img.jpg', jpg);
    const r = run(`before '${fp}' after`);
    expect(r).toEqual({ prompt: 'before  after', images: [jpg.toString('base64')], err: `Added image '${fp}'\n` });
  });

  it("Ollama's TestExtractFileDataWAV: a WAV is added as audio", () => {
    const wav = Buffer.alloc(600);
    Buffer.concat([Buffer.from('RIFF'), Buffer.from([0x58, 2, 0, 0]), Buffer.from('WAVEfmt '), Buffer.from([0x10, 0, 0, 0, 1, 0, 1, 0, 0x80, 0x3e, 0, 0, 0, 0x7d, 0, 0, 2, 0, 0x10, 0]), Buffer.from('data'), Buffer.from([0x34, 2, 0, 0])]).copy(wav);
    const fp = write('sample.wav', wav);
    const r = run(`before ${fp} after`);
    expect(r).toEqual({ prompt: 'before  after', images: [wav.toString('base64')], err: `Added audio '${fp}'\n` });
  });

  it('escaped spaces: the unescaped path is read and named; the escaped text leaves the prompt', () => {
    const fp = write('with space/my photo.png', png);
    const escaped = fp.replace(/ /g, '\\ ');
    const r = run(`what is in ${escaped}?`);
    expect(r).toEqual({ prompt: 'what is in ?', images: [png.toString('base64')], err: `Added image '${fp}'\n` });
  });

  it('a relative ./ path (from the working directory) and two images in order', () => {
    const a = write('rel/a.png', png);
    const b = write('rel/b.PNG', testImages.checker());
    const cwd = process.cwd();
    process.chdir(path.join(dir, 'rel'));
    try {
      const r = run('compare ./a.png with ./b.PNG');
      expect(r).toEqual({ prompt: 'compare  with', images: [fs.readFileSync(a).toString('base64'), fs.readFileSync(b).toString('base64')], err: "Added image './a.png'\nAdded image './b.PNG'\n" });
    } finally {
      process.chdir(cwd);
    }
  });

  it('a path that does not exist stays in the prompt, silently', () => {
    expect(run('look at /no/such/photo.png now')).toEqual({ prompt: 'look at /no/such/photo.png now', images: [], err: '' });
  });

  it.each([
    ['text named .png', () => write('notes.png', 'just some text, long enough '.repeat(30)), 'invalid file type: text/plain; charset=utf-8'],
    ['short text named .png (Go sniffs the zero-padded 512 bytes)', () => write('short.png', 'hi'), 'invalid file type: application/octet-stream'],
    ['a GIF named .png', () => write('anim.png', Buffer.concat([Buffer.from('GIF89a'), Buffer.alloc(20)])), 'invalid file type: image/gif'],
    ['an empty file', () => write('empty.png', ''), 'EOF'],
    ['a directory', () => (fs.mkdirSync(path.join(dir, 'folder.png'), { recursive: true }), path.join(dir, 'folder.png')), `read ${path.join(dir, 'folder.png')}: is a directory`],
  ])('%s → Couldn\'t process file, and the run fails', (_name, make, message) => {
    const fp = make();
    const r = run(`describe ${fp}`);
    expect(r).toEqual({ error: message, err: `Couldn't process file: ${JSON.stringify(message)}\n` });
  });

  it.skipIf(process.getuid?.() === 0)('an unreadable file → open …: permission denied', () => {
    const fp = write('secret.png', png, 0o000);
    expect(run(`x ${fp}`)).toEqual({ error: `open ${fp}: permission denied`, err: `Couldn't process file: "open ${fp}: permission denied"\n` });
  });
});

describe('isMultimodal, as ollama run decides', () => {
  it.each([
    [{ capabilities: ['completion', 'vision'] }, true],
    [{ capabilities: ['completion', 'audio'] }, true],
    [{ capabilities: ['completion'] }, false],
    [{ capabilities: [], projector_info: { 'general.architecture': 'clip' } }, true],
    [{ model_info: { 'mllama.vision.block_count': 8 } }, true],
    [{ model_info: { 'llama.block_count': 8 } }, false],
  ])('%j → %s', (info, want) => {
    expect(isMultimodal(info)).toBe(want);
  });
});

describe('detectContentType (Go\'s http.DetectContentType)', () => {
  it.each([
    [testImages.red(), 'image/png'],
    [Buffer.from([0xff, 0xd8, 0xff, 0xe0]), 'image/jpeg'],
    [Buffer.concat([Buffer.from('RIFF\0\0\0\0WEBPVP8 '), Buffer.alloc(8)]), 'image/webp'],
    [Buffer.concat([Buffer.from('RIFF\0\0\0\0WAVE'), Buffer.alloc(8)]), 'audio/wave'],
    [Buffer.from('BM\0\0'), 'image/bmp'],
    [Buffer.from('%PDF-1.7'), 'application/pdf'],
    [Buffer.from('  <html><body>'), 'text/html; charset=utf-8'],
    [Buffer.from('\n<?xml version="1.0"?><svg/>'), 'text/xml; charset=utf-8'],
    [Buffer.from('PK\x03\x04rest'), 'application/zip'],
    [Buffer.from('plain words'), 'text/plain; charset=utf-8'],
    [Buffer.from([1, 2, 3]), 'application/octet-stream'],
  ])('%#', (data, want) => {
    expect(detectContentType(data)).toBe(want);
  });
});
