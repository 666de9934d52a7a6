/**
 * The renderers' shared pieces and registry against Ollama's image_tags_test.go, json_test.go and
 * renderer_test.go: [img-N] tags, JSON with spaces, every name renders, each name's BOS text.
 */
import { describe, expect, it } from 'vitest';
import { marshalWithSpaces } from '../../../src/prompt/renderers/gojson.js';
import { renderContentWithImageTags } from '../../../src/prompt/renderers/images.js';
import { leadingBOSFor, OLLAMA_RENDERER_NAMES, rendererFor } from '../../../src/prompt/renderers/index.js';
import { goTests, type TableCase } from './cases.js';

describe('renderContentWithImageTags (Ollama table)', () => {
  it.each<TableCase>(goTests('image_tags').TestRenderContentWithImageTags!.tests)('$name', (c) => {
    expect(renderContentWithImageTags(c.content, c.imageCount, c.imageOffset)).toEqual([c.want, c.wantOffset]);
  });
});

describe('marshalWithSpaces (Ollama table)', () => {
  it.each<TableCase>(goTests('json').TestMarshalWithSpaces!.tests)('$name', (c) => {
    expect(marshalWithSpaces(c.input)).toBe(c.expected);
  });
});

describe('the registry (Ollama tables)', () => {
  const go = goTests('renderer');
  it.each<TableCase>(go.TestBuiltInRendererStillWorks!.tests)('$name renders', (c) => {
    expect(rendererFor(c.name).render(go.TestBuiltInRendererStillWorks!.messages, null, null)).not.toBe('');
  });
  it.each<TableCase>(go.TestLeadingBOSForRenderer!.tests)('$name BOS', (c) => {
    expect(leadingBOSFor(c.name)).toBe(c.want);
  });
  it('every Ollama name renders a user message', () => {
    for (const name of OLLAMA_RENDERER_NAMES) {
      expect(rendererFor(name).render([{ role: 'user', content: 'Hello' }], null, null)).toContain('Hello');
    }
  });
  it('an unknown name is Ollama\'s error', () => {
    expect(() => rendererFor('nope')).toThrow('unknown renderer "nope"');
  });
});
