import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TerminalWrapper, TextWrapper, wrapText } from '../../../src/cli/repl/wordwrap.js';
import { formatStats } from '../../../src/cli/repl/stats.js';
import { History } from '../../../src/cli/repl/history.js';
import { parseKeys } from '../../../src/cli/repl/keys.js';
import * as ed from '../../../src/cli/repl/editor.js';

describe('word wrap', () => {
  it.each([
    ['short text stays', 'hello world', 20, 'hello world'],
    ['moves the last word', 'aaaa bbbb cccc dddd', 20, 'aaaa bbbb cccc \ndddd'],
    ['the line holds width-5 columns', 'aaaa bbbb cccc d e', 20, 'aaaa bbbb cccc \nd e'],
    ['a space at the margin moves the word before it', 'aaaa bbbb ccccc d', 20, 'aaaa bbbb \nccccc d'],
    ['newlines reset the line', 'aaaa bbbb\ncccc dddd eeee', 20, 'aaaa bbbb\ncccc dddd eeee'],
    ['long words break in place', 'x'.repeat(20), 20, 'x'.repeat(15) + '\n' + 'x'.repeat(5)],
    ['width < 10 means no wrap', 'aaaa bbbb cccc', 9, 'aaaa bbbb cccc'],
    ['wide runes count 2', '漢字漢字漢字漢字漢字', 20, '漢字漢字漢字漢\n字漢字'],
  ])('%s', (_n, text, width, want) => {
    expect(wrapText(text, width)).toBe(want);
    // Streaming one character at a time gives the same screen.
    const w = new TextWrapper(width, true);
    let last = '';
    for (const ch of text) last = w.push(ch);
    expect(last).toBe(want);
  });

  it('terminal output erases the moved word with ESC[nD ESC[K', () => {
    const w = new TerminalWrapper(20, true);
    expect(w.push('aaaa bbbb ccc d')).toBe('aaaa bbbb ccc d');
    expect(w.push('d')).toBe('\x1b[1D\x1b[K\ndd');
  });

  it('no wrap passes text verbatim', () => {
    expect(new TerminalWrapper(20, false).push('a'.repeat(50))).toBe('a'.repeat(50));
  });
});

describe('stats block', () => {
  it('matches the reference layout', () => {
    expect(
      formatStats({
        total_duration: 4935886791,
        load_duration: 534986708,
        prompt_eval_count: 26,
        prompt_eval_duration: 107345000,
        eval_count: 237,
        eval_duration: 4289432000,
      }),
    ).toBe(
      'total duration:       4.935886791s\n' +
        'load duration:        534.986708ms\n' +
        'prompt eval count:    26 token(s)\n' +
        'prompt eval duration: 107.345ms\n' +
        'prompt eval rate:     242.21 tokens/s\n' +
        'eval count:           237 token(s)\n' +
        'eval duration:        4.289432s\n' +
        'eval rate:            55.25 tokens/s\n',
    );
  });
  it('omits zero values', () => {
    expect(formatStats({ total_duration: 1000, eval_count: 0 })).toBe('total duration:       1µs\n');
    expect(formatStats({})).toBe('');
  });
});

describe('history', () => {
  const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'hist-'));
  it('writes 0600 atomically, keeps 100 entries', () => {
    const dir = tmp();
    const file = path.join(dir, '.ollama', 'history');
    const h = History.load(file);
    for (let i = 0; i < 105; i++) h.add(`line ${i}`);
    const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
    expect(lines).toHaveLength(100);
    expect(lines[0]).toBe('line 5');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.existsSync(path.join(dir, '.ollama', 'history.tmp'))).toBe(false);
    const again = History.load(file);
    expect(again.entries).toHaveLength(100);
  });
  it('loads trimmed, skips blank lines, browses with prev/next', () => {
    const dir = tmp();
    const file = path.join(dir, 'history');
    fs.writeFileSync(file, '  a \n\nb\n');
    const h = History.load(file);
    expect(h.entries).toEqual(['a', 'b']);
    expect(h.prev('typing')).toBe('b');
    expect(h.prev('')).toBe('a');
    expect(h.prev('')).toBeUndefined();
    expect(h.next()).toBe('b');
    expect(h.next()).toBe('typing');
    expect(h.next()).toBeUndefined();
  });
  it('does not write when disabled', () => {
    const dir = tmp();
    const file = path.join(dir, 'history');
    const h = History.load(file, false);
    h.add('x');
    expect(fs.existsSync(file)).toBe(false);
    expect(h.entries).toEqual(['x']);
  });
});

describe('keys', () => {
  it.each([
    ['abc', [{ kind: 'text', text: 'abc' }]],
    ['\r', [{ kind: 'key', name: 'enter' }]],
    ['\n', [{ kind: 'key', name: 'lf' }]],
    // Typed ahead in cooked mode (the tty turned Enter into LF): Enter, not Ctrl+J.
    ['hi\n', [{ kind: 'text', text: 'hi' }, { kind: 'key', name: 'enter' }]],
    ['a\nb\n', [{ kind: 'text', text: 'a' }, { kind: 'key', name: 'enter' }, { kind: 'text', text: 'b' }, { kind: 'key', name: 'enter' }]],
    ['\n\n', [{ kind: 'key', name: 'enter' }, { kind: 'key', name: 'enter' }]],
    ['a\r\n', [{ kind: 'text', text: 'a' }, { kind: 'key', name: 'enter' }]],
    ['\x01\x05\x0b\x15\x17', ['ctrl-a', 'ctrl-e', 'ctrl-k', 'ctrl-u', 'ctrl-w'].map((name) => ({ kind: 'key', name }))],
    ['\x1bb\x1bf', [{ kind: 'key', name: 'word-left' }, { kind: 'key', name: 'word-right' }]],
    ['\x1b[A\x1b[B\x1bOC\x1b[3~', ['up', 'down', 'right', 'delete'].map((name) => ({ kind: 'key', name }))],
    ['\x1b[200~a\rb\x1b[201~', [{ kind: 'key', name: 'paste-start' }, { kind: 'text', text: 'a' }, { kind: 'key', name: 'enter' }, { kind: 'text', text: 'b' }, { kind: 'key', name: 'paste-end' }]],
  ])('%j', (input, want) => {
    expect(parseKeys(input)).toEqual(want);
  });
});

describe('line editor', () => {
  it('moves and deletes like readline', () => {
    let s = ed.lineOf('hello big world');
    s = ed.wordLeft(s);
    expect(s.pos).toBe(10);
    s = ed.deleteWordBack(s);
    expect(ed.lineText(s)).toBe('hello world');
    s = ed.killToStart(s);
    expect(ed.lineText(s)).toBe('world');
    s = ed.end(ed.insert(ed.home(s), '> '));
    expect(ed.lineText(s)).toBe('> world');
    s = ed.killToEnd(ed.left(ed.left(s)));
    expect(ed.lineText(s)).toBe('> wor');
    expect(ed.lineText(ed.backspace(s))).toBe('> wo');
    expect(ed.lineText(ed.deleteChar(ed.home(s)))).toBe(' wor');
    expect(ed.wordRight(ed.home(s)).pos).toBe(1);
  });
});
