import { describe, expect, it } from 'vitest';
import { ProgressDisplay, barLabel, barStats } from '../../src/cli/progress.js';

describe('progress display', () => {
  it('labels and stats', () => {
    expect(barLabel('sha256:' + 'ab'.repeat(32))).toBe('pulling abababababab:');
    expect(barLabel('sha256:' + 'ab'.repeat(32), 'push')).toBe('pushing abababababab');
    expect(barStats(2_000_000, 2_000_000, 0)).toBe('  2 MB');
    expect(barStats(500_000, 2_000_000, 100_000)).toBe('500 KB/  2 MB 100 KB/s 15s');
  });
  it('plain lines without a TTY', () => {
    let out = '';
    const p = new ProgressDisplay({ isTTY: false, write: (s: string) => (out += s) });
    const digest = 'sha256:' + 'c'.repeat(64);
    p.update({ status: 'pulling manifest' });
    p.update({ status: 'pulling manifest' });
    p.update({ status: 'x', digest, total: 1000, completed: 0 });
    p.update({ status: 'x', digest, total: 1000, completed: 300 });
    p.update({ status: 'x', digest, total: 1000, completed: 1000 });
    p.update({ status: 'success' });
    p.stop();
    expect(out).toBe(`pulling manifest\npulling cccccccccccc:   0% 0 B/1 KB\npulling cccccccccccc:  30% 300 B/1 KB\npulling cccccccccccc: 100% 1 KB\nsuccess\n`);
    expect(out).not.toContain('\x1b');
  });
  it('on a terminal, statuses after the bars are printed below them, in order (as Ollama does)', () => {
    let out = '';
    const stream = { isTTY: true, columns: 100, write: (s: string) => ((out += s), true), cursorTo: () => true, moveCursor: () => true, clearLine: () => true, clearScreenDown: () => true, on: () => stream, removeListener: () => stream };
    const p = new ProgressDisplay(stream as never);
    const digest = 'sha256:' + 'd'.repeat(64);
    p.update({ status: 'pulling manifest' });
    p.update({ status: 'x', digest, total: 1000, completed: 500 });
    p.update({ status: 'x', digest, total: 1000, completed: 1000 });
    for (const status of ['verifying sha256 digest', 'writing manifest', 'success']) p.update({ status });
    p.stop();
    // eslint-disable-next-line no-control-regex
    const text = out.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
    const at = (s: string) => text.lastIndexOf(s);
    expect(at('pulling manifest')).toBeGreaterThanOrEqual(0);
    expect(at('pulling dddddddddddd: 100%')).toBeGreaterThan(at('pulling manifest'));
    expect(at('verifying sha256 digest')).toBeGreaterThan(at('pulling dddddddddddd: 100%'));
    expect(at('writing manifest')).toBeGreaterThan(at('verifying sha256 digest'));
    expect(at('success')).toBeGreaterThan(at('writing manifest'));
  });
});
