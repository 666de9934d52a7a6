/**
 * Tollama's Jinja engine against Python's jinja2: every template in ./templates rendered with the
 * conversations of scripts/jinja-expected.py, compared byte for byte with the renders that script
 * wrote to ./expected.json (regenerate with `python3 scripts/jinja-expected.py`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileJinja, JinjaRaisedError, renderJinja } from '../../../src/prompt/jinja/engine.js';
import { toolArgumentsForm } from '../../../src/prompt/jinja/chat.js';
import { strftime } from '../../../src/prompt/jinja/strftime.js';

interface Case {
  name: string;
  vars: Record<string, unknown>;
  expected?: string;
  raises?: string;
  error?: string;
}
interface Data {
  now: string;
  snippets: { vars: Record<string, unknown>; cases: { source: string; expected: string }[] };
  templates: Record<string, { args_form: 'object' | 'string'; cases: Case[] }>;
}

const dir = join(import.meta.dirname, 'templates');
const data = JSON.parse(readFileSync(join(import.meta.dirname, 'expected.json'), 'utf8')) as Data;
const now = new Date(data.now);

describe('chat templates render as jinja2 renders them', () => {
  for (const [name, t] of Object.entries(data.templates)) {
    describe(name, () => {
      const source = readFileSync(join(dir, `${name}.jinja`), 'utf8');

      it('passes tool-call arguments in the form llama.cpp chooses', () => {
        expect(toolArgumentsForm(source)).toBe(t.args_form);
      });

      for (const c of t.cases) {
        it(c.name, () => {
          const render = () => renderJinja(compileJinja(source), { ...c.vars, strftime_now: (f: string) => strftime(now, f) });
          if (c.expected !== undefined) expect(render()).toBe(c.expected);
          else if (c.raises !== undefined) expect(render).toThrow(new JinjaRaisedError(c.raises));
          else expect(render).toThrow();
        });
      }
    });
  }
});

describe('small templates render as jinja2 renders them', () => {
  for (const c of data.snippets.cases) {
    it(JSON.stringify(c.source).slice(0, 80), () => {
      expect(renderJinja(compileJinja(c.source), data.snippets.vars)).toBe(c.expected);
    });
  }
});
