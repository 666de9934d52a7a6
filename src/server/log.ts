/**
 * The server log: one line per event on stderr in Ollama's slog text style
 * (`time=… level=INFO source=… msg="…" key=value`), debug lines only with OLLAMA_DEBUG.
 */
import type { RuntimeLogger } from '../runtime/logger.js';

export type ServerLogger = RuntimeLogger;

function fmtValue(v: unknown): string {
  const s = typeof v === 'string' ? v : v instanceof Error ? v.message : JSON.stringify(v);
  return /^[\w.:/@+-]+$/.test(s ?? '') ? String(s) : JSON.stringify(s);
}

export function createLogger(debugLevel: number, write: (line: string) => void = (l) => process.stderr.write(l)): ServerLogger {
  const emit = (level: string, msg: string, fields?: Record<string, unknown>) => {
    let line = `time=${new Date().toISOString()} level=${level} msg=${JSON.stringify(msg)}`;
    for (const [k, v] of Object.entries(fields ?? {})) if (v !== undefined) line += ` ${k}=${fmtValue(v)}`;
    write(line + '\n');
  };
  return {
    debug: (m, f) => {
      if (debugLevel > 0) emit('DEBUG', m, f);
    },
    info: (m, f) => emit('INFO', m, f),
    warn: (m, f) => emit('WARN', m, f),
    error: (m, f) => emit('ERROR', m, f),
  };
}
