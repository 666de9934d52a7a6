import { describe, expect, it } from 'vitest';
import { ProgressDisplay, barLabel, barStats } from '../../src/cli/progress.js';

describe('progress display', () => {
  it('labels and stats', () => {
    expect(barLabel('sha256:' + 'ab'.repeat(32))).toBe('pulling abababababab:');
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
});
