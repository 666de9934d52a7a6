import { Client } from '../api/client.js';
import { humanBytes, humanTime } from '../api/format.js';
import type { ProcessResponse } from '../api/types.js';
import { listTable } from './table.js';

/** The PROCESSOR column: CPU/GPU split of a loaded model's memory. */
export function processor(size: number, vram: number): string {
  if (vram === 0) return '100% CPU';
  if (vram === size) return '100% GPU';
  if (vram > size || size === 0) return 'Unknown';
  const cpu = Math.round(((size - vram) / size) * 100);
  return `${cpu}%/${100 - cpu}% CPU/GPU`;
}

/** `ollama ps [PREFIX]`: NAME ID SIZE PROCESSOR CONTEXT UNTIL (case-sensitive prefix filter). */
export function formatPs(res: ProcessResponse, filter: string[], now = Date.now()): string {
  const rows: string[][] = [];
  for (const m of res.models ?? []) {
    if (filter.length > 0 && !m.name.startsWith(filter[0]!)) continue;
    const expires = Date.parse(m.expires_at);
    const until = !Number.isNaN(expires) && expires < now && expires > 0 ? 'Stopping...' : humanTime(m.expires_at, 'Never', now);
    rows.push([m.name, m.digest.slice(0, 12), humanBytes(m.size), processor(m.size, m.size_vram), String(m.context_length), until]);
  }
  return listTable(['NAME', 'ID', 'SIZE', 'PROCESSOR', 'CONTEXT', 'UNTIL'], rows);
}

export async function run(args: string[]): Promise<void> {
  const res = await new Client().request<ProcessResponse>('GET', '/api/ps');
  process.stdout.write(formatPs(res, args));
}
