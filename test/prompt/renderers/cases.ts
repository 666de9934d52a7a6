/**
 * Ollama's renderer test data (model/renderers/*_test.go), ported to JSON by
 * scripts/port-go-tables.ts: per Go test function, every data variable it defines (`tests`
 * tables, `msgs`, `want` …), with Go field names turned into the API's JSON names.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Message, Tool } from '../../../src/api/types.js';

export type Vars = Record<string, any>;

/** The data of `<file>_test.go`, by Go test function. */
export function goTests(file: string): Record<string, Vars> {
  const p = path.join(import.meta.dirname, 'testdata', `${file}.json`);
  const data = JSON.parse(fs.readFileSync(p, 'utf8')) as Record<string, Record<string, Vars>>;
  return data[`${file}_test.go`]!;
}

export interface TableCase {
  name: string;
  msgs?: Message[];
  messages?: Message[];
  tools?: Tool[];
  expected: string;
  [k: string]: any;
}
