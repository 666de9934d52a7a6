import { describe, expect, it } from 'vitest';
import { formatFloat } from '../../src/template/floatfmt.js';
import { goJSON, JSONObject } from '../../src/template/json.js';
import { formatAction, formatValue, sprint, sprintf, sprintln } from '../../src/template/printing.js';

describe('Go %v of float64', () => {
  it.each<[number, string]>([
    [3, '3'], [1.5, '1.5'], [0, '0'], [100000, '100000'], [999999.5, '999999.5'], [123456.7, '123456.7'],
    [1e6, '1e+06'], [12345678, '1.2345678e+07'], [123456789, '1.23456789e+08'], [1e20, '1e+20'],
    [0.0001, '0.0001'], [0.00012, '0.00012'], [0.00001234, '1.234e-05'], [-1500000, '-1.5e+06'],
    [5e-324, '5e-324'], [1.7976931348623157e308, '1.7976931348623157e+308'], [-0.5, '-0.5'],
    [NaN, 'NaN'], [Infinity, '+Inf'], [-Infinity, '-Inf'],
  ])('%d → %s', (x, want) => {
    expect(formatValue(x)).toBe(want);
  });

  it.each<[number, 'e' | 'f' | 'g', number, string]>([
    [3.14159, 'f', 2, '3.14'], [1234.5, 'e', 6, '1.234500e+03'], [0.000012, 'g', -1, '1.2e-05'],
    [123456, 'g', 3, '1.23e+05'], [1.5, 'g', 5, '1.5'], [100, 'g', 2, '1e+02'], [2.5, 'f', 0, '2'],
    [1e21, 'f', 1, '1000000000000000000000.0'], [0, 'e', 2, '0.00e+00'],
  ])('formatFloat(%d, %s, %d) → %s', (x, f, p, want) => {
    expect(formatFloat(x, f, p)).toBe(want);
  });
});

describe('values', () => {
  it.each<[unknown, string]>([
    ['s', 's'], [true, 'true'], [7n, '7'], [null, '<nil>'], [[1, 'a', null, [2n]], '[1 a <nil> [2]]'],
    [{ b: 1, a: { c: [] } }, 'map[a:map[c:[]] b:1]'], [{ '😀': 1, 'ｚ': 2, a: 3 }, 'map[a:3 ｚ:2 😀:1]'],
    [new Uint8Array([104, 105]), '[104 105]'],
  ])('%s', (v, want) => {
    expect(formatValue(v)).toBe(want);
  });

  it('prints <no value> for nil in an action', () => {
    expect(formatAction(null)).toBe('<no value>');
    expect(formatAction(undefined)).toBe('<no value>');
  });

  it('Sprint spaces only between non-strings; Sprintln always', () => {
    expect(sprint(['a', 1n, 2n, 'b', 3n])).toBe('a1 2b3');
    expect(sprint([1.5, null, true])).toBe('1.5 <nil> true');
    expect(sprintln(['a', 'b', 1n])).toBe('a b 1\n');
  });
});

describe('Sprintf', () => {
  it.each<[string, unknown[], string]>([
    ['%s\n\n%s', ['a', 'b'], 'a\n\nb'],
    ['[%*s]', [3n, 'x'], '[  x]'],
    ['a%*s', [2n, ''], 'a  '],
    ['%-*d|', [4n, 5n], '5   |'],
    ['%5s|%-5s|%.2s', ['ab', 'ab', 'abc'], '   ab|ab   |ab'],
    ['%d %+d %05d %x %X %o %b %c %q %U', [42n, 42n, -42n, 255n, 255n, 8n, 5n, 233n, 97n, 0x1f600n], '42 +42 -0042 ff FF 10 101 é \'a\' U+1F600'],
    ['%v %g %e %f %.1f %6.2f', [1e6, 1e-5, 1.5, 1.5, 0.25, 3.14159], '1e+06 1e-05 1.500000e+00 1.500000 0.2   3.14'],
    ['%t %v', [true, false], 'true false'],
    ['%q %x', ['a"b\n', 'hi'], '"a\\"b\\n" 6869'],
    ['%s', [3n], '%!s(int=3)'],
    ['%d', [3], '%!d(float64=3)'],
    ['%d', ['x'], '%!d(string=x)'],
    ['%s', [null], '%!s(<nil>)'],
    ['%v', [null], '<nil>'],
    ['%s %s', ['a'], 'a %!s(MISSING)'],
    ['%s', ['a', 2n, 'b'], 'a%!(EXTRA int=2, string=b)'],
    ['%z', [1n], '%!z(int=1)'],
    ['100%%', [], '100%'],
    ['%', [], '%!(NOVERB)'],
    ['%*s', ['x', 'y'], '%!(BADWIDTH)y'],
    ['%s', [['a', 1n]], '[a %!s(int=1)]'],
  ])('%s', (f, args, want) => {
    expect(sprintf(f, args)).toBe(want);
  });
});

describe('Go encoding/json', () => {
  it.each<[unknown, string]>([
    [null, 'null'], [undefined, 'null'], [true, 'true'], [1n, '1'], [1.5, '1.5'], [-0, '-0'],
    [1e21, '1e+21'], [1e20, '100000000000000000000'], [1e-7, '1e-7'], [0.000001, '0.000001'], [2.5e-8, '2.5e-8'],
    ['<a href="x">&\'</a>', '"\\u003ca href=\\"x\\"\\u003e\\u0026\'\\u003c/a\\u003e"'],
    ['\u2028\u2029\b\f\n\r\t\u0001\u001f', '"\\u2028\\u2029\\b\\f\\n\\r\\t\\u0001\\u001f"'],
    ['é✓😀', '"é✓😀"'], ['\ud800x', '"\\ufffdx"'],
    [{ b: 1, a: [1, 'x', null], '😀': 0, 'ｚ': 0 }, '{"a":[1,"x",null],"b":1,"ｚ":0,"😀":0}'],
    [new JSONObject([['z', 1], ['a', 2]]), '{"z":1,"a":2}'],
    [new Uint8Array([104, 105]), '"aGk="'],
  ])('%s', (v, want) => {
    expect(goJSON(v)).toBe(want);
  });
});

describe('rounding of exact ties (Go rounds half to even)', () => {
  it.each<[string, number, string]>([
    ['%.1f', 0.25, '0.2'], ['%.1f', 0.35, '0.3'], ['%.0f', 0.5, '0'], ['%.0f', 1.5, '2'], ['%.0f', 2.5, '2'],
    ['%.1e', 125, '1.2e+02'], ['%.1e', 135, '1.4e+02'], ['%.2g', 0.125, '0.12'], ['%.2f', 1.005, '1.00'],
  ])('%s of %d', (f, x, want) => {
    expect(sprintf(f, [x])).toBe(want);
  });
});
