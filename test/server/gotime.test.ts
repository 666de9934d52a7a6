// createdAt's per-second cache (src/server/gotime.ts) must give exactly formatRFC3339Nano's text.
import { describe, expect, it } from 'vitest';
import { createdAt, formatRFC3339Nano, nowNs } from '../../src/server/gotime.js';

const slow = (t: number | bigint | Date) => formatRFC3339Nano(t, { utc: true });

describe('createdAt', () => {
  it('matches formatRFC3339Nano for a table of instants (ms)', () => {
    const table: [number, string][] = [
      [0, '1970-01-01T00:00:00Z'],
      [1, '1970-01-01T00:00:00.001Z'],
      [999, '1970-01-01T00:00:00.999Z'],
      [1000, '1970-01-01T00:00:01Z'],
      [1_700_000_000_000, '2023-11-14T22:13:20Z'],
      [1_700_000_000_123.5, '2023-11-14T22:13:20.1235Z'],
      [1_700_000_000_000.000001, '2023-11-14T22:13:20Z'], // below ns precision at this magnitude
      [1_700_000_000_999.75, '2023-11-14T22:13:20.99975Z'],
      [951_782_400_000, '2000-02-29T00:00:00Z'],
    ];
    for (const [ms, want] of table) {
      expect(slow(ms)).toBe(want);
      expect(createdAt(ms)).toBe(want);
    }
  });

  it('carries a fraction that rounds up to a whole second', () => {
    const ms = 999.9999996; // 999,999,999.6 ns rounds to the next second
    expect(slow(ms)).toBe('1970-01-01T00:00:01Z');
    expect(createdAt(ms)).toBe('1970-01-01T00:00:01Z');
    expect(createdAt(1999.9999996)).toBe('1970-01-01T00:00:02Z');
  });

  it('matches for many random instants, in and out of order (cache reuse and refresh)', () => {
    let seed = 42;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const base = 1_763_000_000_000;
    for (let i = 0; i < 5000; i++) {
      const ms = base + Math.floor(rnd() * 5000) + (i % 3 === 0 ? 0 : rnd());
      expect(createdAt(ms)).toBe(slow(ms));
    }
  });

  it('bigint, Date and negative instants take the general path', () => {
    expect(createdAt(1_700_000_000_123_456_789n)).toBe('2023-11-14T22:13:20.123456789Z');
    expect(createdAt(new Date(1_700_000_000_000))).toBe('2023-11-14T22:13:20Z');
    expect(createdAt(-1)).toBe(slow(-1));
  });

  it('now: RFC3339Nano in UTC, close to nowNs()', () => {
    const s = createdAt();
    expect(s).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/);
    const parsed = Date.parse(s);
    expect(Math.abs(parsed - Number(nowNs() / 1_000_000n))).toBeLessThan(60_000);
  });
});
