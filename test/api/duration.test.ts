import { describe, expect, it } from 'vitest';
import {
  DEFAULT_KEEP_ALIVE,
  DurationError,
  HOUR,
  MAX_DURATION,
  MICROSECOND,
  MILLISECOND,
  MINUTE,
  SECOND,
  durationToMs,
  formatDuration,
  keepAliveFromEnv,
  keepAliveToJSON,
  msToDuration,
  parseDuration,
  parseKeepAlive,
} from '../../src/api/duration.js';

describe('parseDuration (Go time.ParseDuration)', () => {
  const valid: Array<[string, bigint]> = [
    ['0', 0n],
    ['+0', 0n],
    ['-0', 0n],
    ['5s', 5n * SECOND],
    ['30s', 30n * SECOND],
    ['1478s', 1478n * SECOND],
    ['-5s', -5n * SECOND],
    ['+5s', 5n * SECOND],
    ['-0s', 0n],
    ['+0s', 0n],
    ['5.0s', 5n * SECOND],
    ['5.6s', 5n * SECOND + 600n * MILLISECOND],
    ['5.s', 5n * SECOND],
    ['.5s', 500n * MILLISECOND],
    ['1.0s', SECOND],
    ['1.00s', SECOND],
    ['1.004s', SECOND + 4n * MILLISECOND],
    ['1.0040s', SECOND + 4n * MILLISECOND],
    ['100.00100s', 100n * SECOND + MILLISECOND],
    ['10ns', 10n],
    ['11us', 11n * MICROSECOND],
    ['12\u00b5s', 12n * MICROSECOND],
    ['12\u03bcs', 12n * MICROSECOND],
    ['13ms', 13n * MILLISECOND],
    ['14s', 14n * SECOND],
    ['15m', 15n * MINUTE],
    ['16h', 16n * HOUR],
    ['3h30m', 3n * HOUR + 30n * MINUTE],
    ['1h30m', HOUR + 30n * MINUTE],
    ['1.5h', HOUR + 30n * MINUTE],
    ['300ms', 300n * MILLISECOND],
    ['10.5s4m', 4n * MINUTE + 10n * SECOND + 500n * MILLISECOND],
    ['-2m3.4s', -(2n * MINUTE + 3n * SECOND + 400n * MILLISECOND)],
    ['1h2m3s4ms5us6ns', HOUR + 2n * MINUTE + 3n * SECOND + 4n * MILLISECOND + 5n * MICROSECOND + 6n],
    ['39h9m14.425s', 39n * HOUR + 9n * MINUTE + 14n * SECOND + 425n * MILLISECOND],
    ['52763797000ns', 52763797000n],
    ['0.3333333333333333333h', 20n * MINUTE],
    ['9007199254740993ns', 9007199254740993n],
    ['9223372036854775807ns', 9223372036854775807n],
    ['9223372036854775.807us', 9223372036854775807n],
    ['9223372036s854ms775us807ns', 9223372036854775807n],
    ['-9223372036854775808ns', -9223372036854775808n],
    ['-9223372036854775.808us', -9223372036854775808n],
    ['0.100000000000000000000h', 6n * MINUTE],
    ['0.830103483285477580700h', 49n * MINUTE + 48n * SECOND + 372539827n],
    ['5m0s', 5n * MINUTE],
  ];
  it.each(valid)('%s', (input, want) => {
    expect(parseDuration(input)).toBe(want);
  });

  const invalid: Array<[string, string]> = [
    ['', 'time: invalid duration ""'],
    ['3', 'time: missing unit in duration "3"'],
    ['300', 'time: missing unit in duration "300"'],
    ['-', 'time: invalid duration "-"'],
    ['s', 'time: invalid duration "s"'],
    ['.', 'time: invalid duration "."'],
    ['-.', 'time: invalid duration "-."'],
    ['.s', 'time: invalid duration ".s"'],
    ['+.s', 'time: invalid duration "+.s"'],
    ['1d', 'time: unknown unit "d" in duration "1d"'],
    ['1w', 'time: unknown unit "w" in duration "1w"'],
    ['3000000h', 'time: invalid duration "3000000h"'],
    ['9223372036854775808ns', 'time: invalid duration "9223372036854775808ns"'],
    ['9223372036854775.808us', 'time: invalid duration "9223372036854775.808us"'],
    ['9223372036854ms775us808ns', 'time: invalid duration "9223372036854ms775us808ns"'],
    ['-9223372036854775809ns', 'time: invalid duration "-9223372036854775809ns"'],
    [' 5m', 'time: invalid duration " 5m"'],
    ['5m ', 'time: unknown unit "m " in duration "5m "'],
    ['1\u00e9', 'time: unknown unit "\\xc3\\xa9" in duration "1\\xc3\\xa9"'],
    ['"5m"', 'time: invalid duration "\\"5m\\""'],
  ];
  it.each(invalid)('%j is rejected', (input, message) => {
    expect(() => parseDuration(input)).toThrow(DurationError);
    expect(() => parseDuration(input)).toThrow(message);
    try {
      parseDuration(input);
    } catch (e) {
      expect((e as DurationError).message).toBe(message);
      expect((e as DurationError).status).toBe(400);
    }
  });
});

describe('formatDuration (Go Duration.String)', () => {
  const cases: Array<[bigint, string]> = [
    [0n, '0s'],
    [1n, '1ns'],
    [1100n, '1.1\u00b5s'],
    [2200n * MICROSECOND, '2.2ms'],
    [12345n * MICROSECOND, '12.345ms'],
    [3300n * MILLISECOND, '3.3s'],
    [1500n * MILLISECOND, '1.5s'],
    [4n * MINUTE, '4m0s'],
    [5n * MINUTE, '5m0s'],
    [4n * MINUTE + 5n * SECOND, '4m5s'],
    [4n * MINUTE + 5001n * MILLISECOND, '4m5.001s'],
    [5n * HOUR + 6n * MINUTE + 7001n * MILLISECOND, '5h6m7.001s'],
    [8n * MINUTE + 1n, '8m0.000000001s'],
    [HOUR, '1h0m0s'],
    [HOUR + 30n * MINUTE, '1h30m0s'],
    [-SECOND, '-1s'],
    [-1n, '-1ns'],
    [MAX_DURATION, '2562047h47m16.854775807s'],
    [-9223372036854775808n, '-2562047h47m16.854775808s'],
  ];
  it.each(cases)('%s ns → %s', (ns, want) => {
    expect(formatDuration(ns)).toBe(want);
  });

  it('accepts plain numbers of nanoseconds', () => {
    expect(formatDuration(1500000000)).toBe('1.5s');
  });

  it('round-trips through parseDuration', () => {
    for (const [ns] of cases) expect(parseDuration(formatDuration(ns))).toBe(ns);
  });
});

describe('parseKeepAlive (API keep_alive)', () => {
  const cases: Array<[unknown, bigint | undefined]> = [
    [undefined, undefined],
    [null, undefined],
    [42, 42n * SECOND],
    [42.5, 42500n * MILLISECOND],
    [0, 0n],
    [-1, MAX_DURATION],
    [-3.14, MAX_DURATION],
    [1e30, MAX_DURATION],
    ['42m', 42n * MINUTE],
    ['5m', 5n * MINUTE],
    ['1h30m', 90n * MINUTE],
    ['300ms', 300n * MILLISECOND],
    ['0', 0n],
    ['0s', 0n],
    ['-1m', MAX_DURATION],
    ['-1s', MAX_DURATION],
  ];
  it.each(cases)('%j', (input, want) => {
    expect(parseKeepAlive(input)).toBe(want);
  });

  const bad: Array<[unknown, string]> = [
    ['300', 'time: missing unit in duration "300"'],
    ['forever', 'time: invalid duration "forever"'],
    [true, "Unsupported type: 'bool'"],
    [[1], "Unsupported type: '[]interface {}'"],
    [{ a: 1 }, "Unsupported type: 'map[string]interface {}'"],
  ];
  it.each(bad)('%j is rejected', (input, message) => {
    expect(() => parseKeepAlive(input)).toThrow(message);
    try {
      parseKeepAlive(input);
    } catch (e) {
      expect(e).toBeInstanceOf(DurationError);
      expect((e as DurationError).status).toBe(400);
    }
  });
});

describe('keepAliveFromEnv (OLLAMA_KEEP_ALIVE)', () => {
  const cases: Array<[string | undefined, bigint]> = [
    [undefined, 5n * MINUTE],
    ['', 5n * MINUTE],
    ['1s', SECOND],
    ['1m', MINUTE],
    ['1h', HOUR],
    ['5m0s', 5n * MINUTE],
    ['1h2m3s', HOUR + 2n * MINUTE + 3n * SECOND],
    ['0', 0n],
    ['60', 60n * SECOND],
    ['120', 2n * MINUTE],
    ['3600', HOUR],
    ['-0', 0n],
    ['-1', MAX_DURATION],
    ['-1m', MAX_DURATION],
    [' 10m ', 10n * MINUTE],
    ['"10m"', 10n * MINUTE],
    ["'30'", 30n * SECOND],
    [' ', 5n * MINUTE],
    ['???', 5n * MINUTE],
    ['1d', 5n * MINUTE],
    ['1y', 5n * MINUTE],
    ['1w', 5n * MINUTE],
  ];
  it.each(cases)('%j', (input, want) => {
    expect(keepAliveFromEnv(input)).toBe(want);
  });
  it('defaults to 5 minutes', () => {
    expect(DEFAULT_KEEP_ALIVE).toBe(5n * MINUTE);
  });
});

describe('conversions', () => {
  it('keepAliveToJSON writes Go client forms', () => {
    expect(keepAliveToJSON(5n * MINUTE)).toBe('5m0s');
    expect(keepAliveToJSON(0n)).toBe('0s');
    expect(keepAliveToJSON(-1n)).toBe(-1);
    expect(keepAliveToJSON(42n * SECOND)).toBe('42s');
  });
  it('durationToMs / msToDuration', () => {
    expect(durationToMs(MAX_DURATION)).toBe(Infinity);
    expect(durationToMs(5n * MINUTE)).toBe(300000);
    expect(durationToMs(1500n)).toBe(0.0015);
    expect(msToDuration(300000)).toBe(5n * MINUTE);
    expect(msToDuration(Infinity)).toBe(MAX_DURATION);
  });
});
