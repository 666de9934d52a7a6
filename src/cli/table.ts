/**
 * The two table layouts Ollama's CLI prints with tablewriter:
 *  - listTable: `list` and `ps` — header cells padded to the column width plus 4 spaces, except
 *    the last header cell which gets 1 space; every data cell (the last too) padded plus 4 spaces.
 *  - infoTable: `show` sections — no header, each row starts with an empty first column (4
 *    spaces), every cell padded to its column width plus 4 spaces, cells wrapped on spaces.
 */

/** Display width of a string: wide (CJK, fullwidth) characters count 2, as go-runewidth does. */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += isWide(ch.codePointAt(0)!) ? 2 : 1;
  return w;
}

function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1faff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  );
}

function pad(s: string, width: number): string {
  return s + ' '.repeat(Math.max(0, width - displayWidth(s)));
}

function columnWidths(rows: string[][]): number[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, displayWidth(cell))));
  return widths;
}

/** `ollama list` / `ollama ps` layout. */
export function listTable(header: string[], rows: string[][]): string {
  const widths = columnWidths([header, ...rows]);
  const head = header.map((h, i) => pad(h, widths[i]!) + (i === header.length - 1 ? ' ' : '    ')).join('');
  const body = rows.map((r) => r.map((c, i) => pad(c, widths[i]!) + '    ').join('') + '\n').join('');
  return head + '\n' + body;
}

/** Word-wrap a cell on spaces at `limit` columns, as tablewriter does (long words are kept whole). */
export function wrapCell(text: string, limit: number): string[] {
  if (text.includes('\n')) return text.split('\n').flatMap((l) => wrapCell(l, limit));
  const words = text.split(/\s+/).filter((w) => w.length > 0);
  if (words.length === 0) return [''];
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    if (line === '') line = w;
    else if (displayWidth(line) + 1 + displayWidth(w) <= limit) line += ' ' + w;
    else {
      lines.push(line);
      line = w;
    }
  }
  lines.push(line);
  return lines;
}

/** One `show` section: `  Header`, the rows, then an empty line. */
export function infoSection(title: string, rows: string[][], wrapAt = 30): string {
  const expanded: string[][] = [];
  for (const row of rows) {
    const cells = row.map((c) => wrapCell(c, wrapAt));
    const height = Math.max(...cells.map((c) => c.length));
    for (let k = 0; k < height; k++) expanded.push(['', ...cells.map((c) => c[k] ?? '')]);
  }
  const widths = columnWidths(expanded);
  const body = expanded.map((r) => r.map((c, i) => pad(c, widths[i]!) + '    ').join('') + '\n').join('');
  return `  ${title}\n${body}\n`;
}
