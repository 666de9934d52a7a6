/**
 * What a built-in renderer gets and gives: Ollama's chat messages and tools (API JSON form, object
 * keys in the order they arrived) and the request's `think`, turned into the prompt text.
 */
import type { Message, Tool } from '../../api/types.js';

/** `think` as the request gave it: null/undefined = not set. */
export type Think = boolean | string | null | undefined;

export interface Renderer {
  render(messages: readonly Message[], tools: readonly Tool[] | null | undefined, think: Think): string;
  /** Text the runner must not add a second time (the BOS the renderer writes itself); usually ''. */
  readonly leadingBOS: string;
}

/** Go's ThinkValue.Bool(): true, or any valid level. */
export function thinkBool(t: Think): boolean {
  if (t === true) return true;
  return t === 'high' || t === 'medium' || t === 'low' || t === 'max';
}

/** Go's ThinkValue.String(): the level; true → "medium"; otherwise "". */
export function thinkString(t: Think): string {
  if (typeof t === 'string') return t;
  return t === true ? 'medium' : '';
}

export const isThinkSet = (t: Think): boolean => t !== null && t !== undefined;
