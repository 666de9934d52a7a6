/**
 * Fenced code blocks of the project's Markdown (README.md and docs/*.md), for the test that runs
 * every shell block (test/docs/commands.test.ts). Follows CommonMark's fence rules closely
 * enough for our docs: ``` or ~~~ of length ≥ 3, any indentation (blocks inside list items), a
 * closing fence of the same character at least as long, and an info string whose first word is
 * the language. The convention is in docs/writing-docs.md.
 */
import fs from 'node:fs';
import path from 'node:path';

/** Languages whose blocks are commands: each such block is run (or listed with a reason). */
export const SHELL_LANGS = new Set(['sh', 'bash', 'shell', 'console', 'zsh']);

export interface DocBlock {
  /** Path relative to the repository root, e.g. `docs/offline.md`. */
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The first word of the info string, lower-cased; '' when the fence names no language. */
  lang: string;
  /** The block's lines with the fence's indentation removed, joined with '\n'. */
  text: string;
}

export function extractBlocks(markdown: string, file: string): DocBlock[] {
  const lines = markdown.split(/\r?\n/);
  const blocks: DocBlock[] = [];
  let open: { indent: number; ch: string; len: number; line: number; lang: string; body: string[] } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!open) {
      const m = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)/.exec(line);
      if (m) open = { indent: m[1]!.length, ch: m[2]![0]!, len: m[2]!.length, line: i + 1, lang: m[3]!.toLowerCase(), body: [] };
      continue;
    }
    const close = /^\s*(`{3,}|~{3,})\s*$/.exec(line);
    if (close && close[1]![0] === open.ch && close[1]!.length >= open.len) {
      blocks.push({ file, line: open.line, lang: open.lang, text: open.body.join('\n') });
      open = undefined;
      continue;
    }
    // Remove up to the fence's indentation, as CommonMark does.
    let k = 0;
    while (k < open.indent && (line[k] === ' ' || line[k] === '\t')) k++;
    open.body.push(line.slice(k));
  }
  if (open) throw new Error(`${file}:${open.line}: code fence is never closed`);
  return blocks;
}

/** README.md and every docs/*.md, in a stable order. */
export function projectDocs(root: string): string[] {
  const docs = fs
    .readdirSync(path.join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `docs/${f}`);
  return ['README.md', ...docs];
}

export function allBlocks(root: string): DocBlock[] {
  return projectDocs(root).flatMap((f) => extractBlocks(fs.readFileSync(path.join(root, f), 'utf8'), f));
}
