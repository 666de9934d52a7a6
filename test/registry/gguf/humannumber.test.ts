import { describe, expect, it } from 'vitest';
import { goFixed, humanNumber } from '../../../src/registry/gguf/humannumber.js';

describe('humanNumber (Ollama format.HumanNumber)', () => {
  const cases: Array<[number, string]> = [
    [0, '0'],
    [1, '1'],
    [999, '999'],
    [1000, '1K'],
    [1499, '1K'],
    [1500, '2K'], // exact tie, half-to-even
    [2500, '2K'], // exact tie, half-to-even (JS toFixed would say 3K)
    [3500, '4K'],
    [292_800, '293K'],
    [999_999, '1000K'],
    [1_000_000, '1M'],
    [125_000_000, '125M'],
    [500_500_000, '500.50M'],
    [500_550_000, '500.55M'],
    [1_125_000, '1.12M'], // exact tie 1.125 → 1.12
    [1_250_000, '1.25M'],
    [494_032_768, '494.03M'],
    [1_000_000_000, '1B'],
    [1_250_000_000, '1.2B'], // exact tie 1.25 → 1.2
    [2_800_000_000, '2.8B'],
    [2_850_000_000, '2.9B'], // 2.85 is slightly above the tie in binary
    [8_030_261_248, '8.0B'],
    [1_000_000_000_000, '1000B'],
  ];
  it.each(cases)('%d → %s', (n, want) => {
    expect(humanNumber(n)).toBe(want);
  });

  it('rejects negative and non-finite input', () => {
    expect(() => humanNumber(-1)).toThrow(RangeError);
    expect(() => humanNumber(Number.NaN)).toThrow(RangeError);
    expect(() => humanNumber(Infinity)).toThrow(RangeError);
  });
});

describe('goFixed (Go %.Nf)', () => {
  const cases: Array<[number, number, string]> = [
    [0, 0, '0'],
    [0.5, 0, '0'],
    [1.5, 0, '2'],
    [2.5, 0, '2'],
    [-2.5, 0, '-2'],
    [9.5, 0, '10'],
    [99.5, 0, '100'],
    [1.25, 1, '1.2'],
    [1.35, 1, '1.4'],
    [0.125, 2, '0.12'],
    [0.375, 2, '0.38'],
    [9.995, 2, '9.99'],
    [1.005, 2, '1.00'],
    [123.456, 0, '123'],
    [2.0, 2, '2.00'],
  ];
  it.each(cases)('%d with %d digits → %s', (x, d, want) => {
    expect(goFixed(x, d)).toBe(want);
  });
  it('rejects a bad digit count', () => {
    expect(() => goFixed(1, -1)).toThrow(RangeError);
    expect(() => goFixed(1, 21)).toThrow(RangeError);
  });
});
