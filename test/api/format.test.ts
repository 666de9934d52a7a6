import { describe, expect, it } from 'vitest';
import { goFixed, humanBytes, humanDuration, humanNumber, humanTime } from '../../src/api/format.js';

describe('goFixed (Go %.Nf, ties to even)', () => {
  it.each([
    [1.25, 1, '1.2'],
    [1.35, 1, '1.4'],
    [2.5, 0, '2'],
    [3.5, 0, '4'],
    [0.125, 2, '0.12'],
    [1.999999999999, 1, '2.0'],
    [-2.5, 0, '-2'],
    [12.345, 2, '12.35'], [0.05, 1, '0.1'], [9.95, 1, '9.9'], [99.95, 1, '100.0'],
  ])('%d to %d digits → %s', (v, d, want) => expect(goFixed(v, d)).toBe(want));
});

describe('humanBytes', () => {
  it.each([
    [0, '0 B'],
    [999, '999 B'],
    [1000, '1 KB'],
    [1500, '1.5 KB'],
    [999_999, '999 KB'],
    [1_000_000, '1 MB'],
    [1_185_376, '1.2 MB'],
    [9_950_000, '9.9 MB'],
    [10_500_000, '10 MB'],
    [4_661_224_676, '4.7 GB'],
    [1_999_999_999_999, '2.0 TB'],
    [2_000_000_000_000, '2 TB'],
  ])('%d → %s', (b, want) => expect(humanBytes(b)).toBe(want));
});

describe('humanNumber', () => {
  it.each([
    [0, '0'],
    [999, '999'],
    [1000, '1K'],
    [260_000, '260K'],
    [1_500_000, '1.50M'],
    [500_500_000, '500.50M'],
    [7_000_000_000, '7B'],
    [2_800_000_000, '2.8B'],
    [2_850_000_000, '2.9B'],
    [1e12, '1000B'],
  ])('%d → %s', (n, want) => expect(humanNumber(n)).toBe(want));
});

describe('humanTime / humanDuration', () => {
  const now = Date.parse('2026-01-10T12:00:00Z');
  const ago = (ms: number) => new Date(now - ms).toISOString();
  it.each([
    [500, 'Less than a second ago'],
    [1000, '1 second ago'],
    [30_000, '30 seconds ago'],
    [60_000, 'About a minute ago'],
    [5 * 60_000, '5 minutes ago'],
    [60 * 60_000, 'About an hour ago'],
    [24 * 3_600_000, '24 hours ago'],
    [2 * 24 * 3_600_000, '2 days ago'],
    [20 * 24 * 3_600_000, '2 weeks ago'],
    [90 * 24 * 3_600_000, '3 months ago'],
    [800 * 24 * 3_600_000, '2 years ago'],
  ])('%d ms ago → %s', (ms, want) => expect(humanTime(ago(ms), 'Never', now)).toBe(want));
  it('future, forever and zero', () => {
    expect(humanTime(new Date(now + 4 * 60_000 + 30_000).toISOString(), 'Never', now)).toBe('4 minutes from now');
    expect(humanTime(new Date(now + 100 * 365 * 24 * 3_600_000).toISOString(), 'Never', now)).toBe('Forever');
    expect(humanTime('0001-01-01T00:00:00Z', 'Never', now)).toBe('Never');
    expect(humanTime(undefined, 'Never', now)).toBe('Never');
  });
  it('rounds hours like math.Round', () => expect(humanDuration(90 * 60_000)).toBe('2 hours'));
});
