import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  TemplateError, executeGoTemplate, executeOllamaTemplate, parseOllamaTemplate, renderGoTemplate, templateVars,
  type TemplateValues,
} from '../../src/template/index.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const corpusPath = path.resolve(repoRoot, '../shared/reference/template-corpus.json');

interface Case {
  name: string;
  group: string;
  level: 'ollama' | 'text/template' | 'ollama-vars' | 'ollama-parse-error';
  template: string;
  data: unknown;
  values?: TemplateValues & { messages?: TemplateValues['messages'] };
  expected: string | null;
  expectedError?: string;
  errorPhase?: 'parse' | 'exec';
  expectedVars?: string[];
  plainData?: boolean;
  now?: string;
}

const cases: Case[] = existsSync(corpusPath) ? JSON.parse(readFileSync(corpusPath, 'utf8')) : [];
if (cases.length === 0) console.warn(`template corpus not found at ${corpusPath}: skipping corpus tests`);

function expectFailure(fn: () => unknown, c: Case): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err, `${c.name} should fail`).toBeInstanceOf(TemplateError);
  if (c.errorPhase) expect((err as TemplateError).phase).toBe(c.errorPhase);
}

describe.skipIf(cases.length === 0)('template corpus (../shared/reference/template-corpus.json)', () => {
  it('has the 207 cases', () => {
    expect(cases.length).toBe(207);
  });

  for (const c of cases) {
    const opts = c.now ? { now: () => new Date(c.now as string) } : {};
    it(c.name, () => {
      switch (c.level) {
        case 'text/template':
          if (c.expectedError) expectFailure(() => renderGoTemplate(c.template, c.data, opts), c);
          else expect(renderGoTemplate(c.template, c.data, opts)).toBe(c.expected);
          break;
        case 'ollama': {
          const run = () => executeOllamaTemplate(parseOllamaTemplate(c.template), c.values ?? {}, opts);
          if (c.expectedError) {
            expectFailure(run, c);
            break;
          }
          expect(run()).toBe(c.expected);
          if (c.plainData && c.data !== null) {
            expect(executeGoTemplate(parseOllamaTemplate(c.template).parsed, c.data, opts)).toBe(c.expected);
          }
          break;
        }
        case 'ollama-vars':
          expect(templateVars(parseOllamaTemplate(c.template).parsed)).toEqual(c.expectedVars);
          break;
        case 'ollama-parse-error': {
          let err: unknown;
          try {
            parseOllamaTemplate(c.template);
          } catch (e) {
            err = e;
          }
          expect(err).toBeInstanceOf(TemplateError);
          expect((err as Error).message).toContain(c.expectedError);
          break;
        }
      }
    });
  }
});
