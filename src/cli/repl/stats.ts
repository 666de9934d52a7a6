/** The `--verbose` statistics block (reference §1.6, Ollama's Metrics.Summary), Go formats. */
import { formatDuration } from '../../api/duration.js';
import { goFixed } from '../../api/format.js';
import type { Metrics } from '../../api/types.js';

/** Each line only when its value is > 0; durations as Go's Duration.String(). */
export function formatStats(m: Metrics): string {
  let out = '';
  const total = m.total_duration ?? 0;
  const load = m.load_duration ?? 0;
  const pCount = m.prompt_eval_count ?? 0;
  const pDur = m.prompt_eval_duration ?? 0;
  const eCount = m.eval_count ?? 0;
  const eDur = m.eval_duration ?? 0;
  if (total > 0) out += `total duration:       ${formatDuration(BigInt(Math.trunc(total)))}\n`;
  if (load > 0) out += `load duration:        ${formatDuration(BigInt(Math.trunc(load)))}\n`;
  if (pCount > 0) out += `prompt eval count:    ${pCount} token(s)\n`;
  if (pDur > 0) {
    out += `prompt eval duration: ${formatDuration(BigInt(Math.trunc(pDur)))}\n`;
    out += `prompt eval rate:     ${goFixed(pCount / (pDur / 1e9), 2)} tokens/s\n`;
  }
  if (eCount > 0) out += `eval count:           ${eCount} token(s)\n`;
  if (eDur > 0) {
    out += `eval duration:        ${formatDuration(BigInt(Math.trunc(eDur)))}\n`;
    out += `eval rate:            ${goFixed(eCount / (eDur / 1e9), 2)} tokens/s\n`;
  }
  return out;
}
