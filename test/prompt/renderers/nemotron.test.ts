/**
 * nemotron-3-nano and nemotron-3.5-nano against Ollama's nemotron reference tables (the base
 * reference conversations with both flavours' frozen expectations) and image test. The extra
 * cases of nemotron_cases_test.go are built by Go closures the port does not evaluate yet.
 */
import { describe, expect, it } from 'vitest';
import { rendererFor } from '../../../src/prompt/renderers/index.js';
import { goTests, type TableCase } from './cases.js';

const base = goTests('nemotron3nano_reference')._funcs!.nemotronReferenceCases as TableCase[];
const v35Expected = goTests('nemotron35_reference')._file!.nemotron35Expected as Record<string, string>;

describe('nemotron-3-nano renderer (Ollama tables)', () => {
  it.each<TableCase>(base)('$name', (c) => {
    expect(rendererFor('nemotron-3-nano').render(c.messages!, c.tools, c.think)).toBe(c.expected);
  });
  it.each<TableCase>(goTests('nemotron3nano').TestNemotron3NanoRenderer_Images!.tests)('images: $name', (c) => {
    expect(rendererFor('nemotron-3-nano').render(c.msgs!, null, null)).toBe(c.expected);
  });
});

describe('nemotron-3.5-nano renderer (Ollama tables)', () => {
  const cases: TableCase[] = [...base, { name: 'medium effort', messages: [{ role: 'user', content: 'Hello' }], think: 'medium', expected: '' }];
  it.each<TableCase>(cases)('$name', (c) => {
    expect(rendererFor('nemotron-3.5-nano').render(c.messages!, c.tools, c.think)).toBe(v35Expected[c.name]);
  });
});
