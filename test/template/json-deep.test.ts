// The template's Go JSON encoder (src/template/json.ts) past its recursive depth: same bytes as
// the recursive path, any depth, cycles refused; tool schemas nested 5,000 levels convert.
import { describe, expect, it } from 'vitest';
import { goJSON, GoMap, GoSlice, GoStruct, JSONObject } from '../../src/template/index.js';
import { toolProperty } from '../../src/template/ollama-data.js';

const mixed = () =>
  new GoStruct('T', [
    ['B', { z: 1, a: [true, null, 'x<y', -0, 10n] }],
    ['M', new GoMap('M', { b: 2, a: 1 })],
    ['N', new GoMap('M', null)],
    ['S', new GoSlice('S', null)],
    ['H', new GoSlice('S', ['x'], { json: (s) => ({ hooked: s.items }) })],
    ['O', new JSONObject([['y', 1], ['x', new Uint8Array([104, 105])]])],
  ]);

describe('template goJSON at any depth', () => {
  it('deep values are encoded exactly as shallow ones', () => {
    const shallow = goJSON(mixed());
    let deep: unknown = mixed();
    for (let i = 0; i < 500; i++) deep = i % 2 ? [deep] : { k: deep };
    expect(goJSON(deep)).toBe('[{"k":'.repeat(250) + shallow + '}]'.repeat(250));
  });

  it('10,000 levels are encoded; a value that contains itself is refused', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 10_000; i++) deep = [deep];
    expect(goJSON(deep)).toBe('['.repeat(10_000) + '1' + ']'.repeat(10_000));
    const a: unknown[] = [];
    a.push(a);
    expect(() => goJSON(a)).toThrow(/encountered a cycle/);
  });

  it('a tool property schema nested 5,000 levels converts and encodes', () => {
    let schema: Record<string, unknown> = { type: 'string' };
    for (let i = 0; i < 5_000; i++) schema = { type: 'object', properties: { p: schema }, anyOf: [{ type: 'null' }] };
    const text = goJSON(toolProperty(schema));
    expect(text.startsWith('{"anyOf":[{"type":"null"}],"type":"object","properties":{"p":{"anyOf"')).toBe(true);
    expect(text.endsWith('{"type":"string"}' + '}}'.repeat(5_000))).toBe(true);
  });
});
