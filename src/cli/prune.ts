/** `ollama prune [-n]`: removes unreferenced blobs and stale unfinished downloads (docs/offline.md). */
import { humanBytes } from '../api/format.js';
import { transferFetch } from './export.js';
import type { CommandFlags } from './spec.js';

interface Item {
  name: string;
  kind: 'blob' | 'partial' | 'derived';
  size: number;
}

export async function run(_args: string[], flags: CommandFlags): Promise<number> {
  const dryRun = flags.dryRun === true || flags['dry-run'] === true;
  const res = await transferFetch('/api/prune', { dry_run: dryRun });
  const r = (await res.json()) as { removed: Item[]; kept: Item[]; freed: number };
  const verb = dryRun ? 'would remove' : 'removed';
  for (const i of r.removed) {
    process.stdout.write(`${verb} ${i.kind === 'blob' ? 'unused blob' : i.kind === 'derived' ? 'derived file' : 'stale download'} ${i.name} (${humanBytes(i.size)})\n`);
  }
  for (const i of r.kept) {
    process.stdout.write(`kept ${i.name} (${humanBytes(i.size)}): a download or import may be in progress\n`);
  }
  process.stdout.write(`${dryRun ? 'would free' : 'freed'} ${humanBytes(r.freed)}\n`);
  return 0;
}
