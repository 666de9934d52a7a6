/** What every family handler is, and helpers they share. */
import type { HeaderEdit } from './edit.js';

export interface Family {
  /** Published architecture (`general.architecture` as Ollama writes it). */
  readonly arch: string;
  /** Short name for logs and docs. */
  readonly name: string;
  /** Applies the family's edits when the file is in Ollama's layout; does nothing otherwise. */
  apply(h: HeaderEdit): void;
}

export const VISION_PREFIXES = ['v.', 'mm.'] as const;

export function missingOrDefault(h: HeaderEdit, key: string): boolean {
  if (!h.has(key)) return true;
  const v = h.str(key);
  return v === '' || v === 'default';
}
