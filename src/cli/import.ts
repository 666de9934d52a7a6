/**
 * `ollama import FILE|- [--name NEW]`: streams the archive (file or stdin) as the body of
 * POST /api/import, with upload progress on stderr, then prints what the server imported.
 */
import fs from 'node:fs';
import type { Readable } from 'node:stream';
import { Client } from '../api/client.js';
import { humanBytes } from '../api/format.js';
import { parseModelName } from '../registry/name.js';
import { ByteProgress } from './export.js';
import type { CommandFlags } from './spec.js';

interface ImportLine {
  status?: string;
  error?: string;
  models?: string[];
  blobs_written?: number;
  blobs_skipped?: number;
  bytes_written?: number;
}

export async function run(args: string[], flags: CommandFlags): Promise<number> {
  const file = args[0]!;
  const name = typeof flags.name === 'string' ? flags.name : undefined;
  if (name !== undefined) parseModelName(name);
  let input: Readable;
  let total: number | undefined;
  if (file === '-') {
    if (process.stdin.isTTY) throw new Error('refusing to read a tar archive from a terminal; pipe one in or name a file');
    input = process.stdin;
  } else {
    let st: fs.Stats;
    try {
      st = fs.statSync(file);
    } catch {
      throw new Error(`${file}: no such file`);
    }
    if (!st.isFile()) throw new Error(`${file}: not a regular file`);
    total = st.size;
    input = fs.createReadStream(file, { highWaterMark: 1 << 20 });
  }
  const progress = new ByteProgress('importing', total);
  // Client.upload, not fetch: a server that refuses the archive part-way is still heard.
  let text: string;
  try {
    text = await new Client().upload(`/api/import${name ? `?name=${encodeURIComponent(name)}` : ''}`, input.pipe(progress.counter()), 'application/x-tar');
  } finally {
    progress.finish(); // the line ends before any error is printed
  }
  let summary: ImportLine | undefined;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const o = JSON.parse(line) as ImportLine;
    if (o.error) throw new Error(o.error);
    if (o.status === 'success') summary = o;
  }
  if (!summary) throw new Error('the server did not finish the import');
  for (const m of summary.models ?? []) process.stdout.write(`imported ${m}\n`);
  process.stderr.write(
    `${summary.blobs_written ?? 0} blob(s) written (${humanBytes(summary.bytes_written ?? 0)}), ${summary.blobs_skipped ?? 0} already present\n`,
  );
  return 0;
}
