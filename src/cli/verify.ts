/** `ollama verify [MODEL…]`: the server re-hashes each model's blobs; any problem exits 1. */
import { transferFetch } from './export.js';
import type { CommandFlags } from './spec.js';

interface VerifyReport {
  name: string;
  ok: boolean;
  blobs: number;
  problems: Array<{ digest: string; kind: 'missing' | 'mismatch' | 'size' | 'derived'; actual?: string | number; expected_size?: number; detail?: string }>;
}

export function describeProblem(p: VerifyReport['problems'][number]): string {
  switch (p.kind) {
    case 'missing':
      return `blob ${p.digest} is missing`;
    case 'mismatch':
      return `blob ${p.digest} is damaged (its bytes hash to ${p.actual})`;
    case 'derived':
      return `the llama.cpp-layout copy of blob ${p.digest} was damaged (${p.detail ?? 'unknown problem'}); it was removed and is rebuilt at the next load`;
    default:
      return `blob ${p.digest} has ${p.actual} bytes, the manifest records ${p.expected_size}`;
  }
}

export async function run(args: string[], _flags: CommandFlags): Promise<number> {
  const res = await transferFetch('/api/verify', { models: args });
  const { models } = (await res.json()) as { models: VerifyReport[] };
  let bad = 0;
  for (const m of models) {
    if (m.ok) {
      process.stdout.write(`${m.name}: ok (${m.blobs} blobs)\n`);
      continue;
    }
    bad++;
    process.stdout.write(`${m.name}: ${m.problems.length} problem(s)\n`);
    for (const p of m.problems) process.stdout.write(`  ${describeProblem(p)}\n`);
  }
  if (models.length === 0) process.stdout.write('no models\n');
  if (bad) {
    process.stderr.write(`Error: ${bad} model(s) damaged; 'ollama pull' or re-import them\n`);
    return 1;
  }
  return 0;
}
