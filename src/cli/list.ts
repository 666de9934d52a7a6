import { Client } from '../api/client.js';
import { humanBytes, humanTime } from '../api/format.js';
import type { ListResponse } from '../api/types.js';
import { listTable } from './table.js';

/** `ollama list [PREFIX]`: NAME ID SIZE MODIFIED, filtered by a case-insensitive name prefix. */
export function formatList(res: ListResponse, filter: string[], now = Date.now()): string {
  const rows: string[][] = [];
  for (const m of res.models ?? []) {
    if (filter.length > 0 && !m.name.toLowerCase().startsWith(filter[0]!.toLowerCase())) continue;
    const size = m.remote_model ? '-' : humanBytes(m.size);
    rows.push([m.name, m.digest.slice(0, 12), size, humanTime(m.modified_at, 'Never', now)]);
  }
  return listTable(['NAME', 'ID', 'SIZE', 'MODIFIED'], rows);
}

export async function run(args: string[]): Promise<void> {
  const res = await new Client().request<ListResponse>('GET', '/api/tags');
  process.stdout.write(formatList(res, args));
}
