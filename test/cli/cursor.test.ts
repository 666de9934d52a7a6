/**
 * cursor.ts: the cursor comes back on a signal, and the signal then does what it would have done
 * without us: end the process when nothing else listens, or leave it to the listener that does
 * (`run` ends an answer quietly on Ctrl+C). process.kill is stubbed: no signal is really sent.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { hideCursor } from '../../src/cli/cursor.js';

function tty() {
  let out = '';
  return { stream: { isTTY: true, write: (s: string) => ((out += s), true) }, out: () => out };
}

afterEach(() => vi.restoreAllMocks());

describe('the cursor on signals', () => {
  it('SIGINT with no other listener: shown again, then the process is killed by SIGINT', () => {
    const kill = vi.spyOn(process, 'kill').mockImplementation(() => true);
    const t = tty();
    hideCursor(t.stream);
    process.emit('SIGINT', 'SIGINT');
    expect(t.out()).toBe('\x1b[?25l\x1b[?25h');
    expect(kill).toHaveBeenCalledWith(process.pid, 'SIGINT');
    expect(process.listenerCount('SIGINT')).toBe(0);
  });

  it('SIGINT that another listener (registered first, once) handles: shown again, not killed', () => {
    const kill = vi.spyOn(process, 'kill').mockImplementation(() => true);
    const handled = vi.fn();
    process.once('SIGINT', handled);
    const t = tty();
    hideCursor(t.stream);
    process.emit('SIGINT', 'SIGINT');
    expect(t.out()).toBe('\x1b[?25l\x1b[?25h');
    expect(handled).toHaveBeenCalledOnce();
    expect(kill).not.toHaveBeenCalled();
  });

  it('show() after a signal restored it writes nothing more; nested holders show it once, at the end', () => {
    vi.spyOn(process, 'kill').mockImplementation(() => true);
    const t = tty();
    const a = hideCursor(t.stream);
    const b = hideCursor(t.stream);
    b();
    b();
    expect(t.out()).toBe('\x1b[?25l\x1b[?25l');
    a();
    expect(t.out()).toBe('\x1b[?25l\x1b[?25l\x1b[?25h');
    expect(process.listenerCount('SIGTERM')).toBe(0);
    const c = hideCursor(t.stream);
    process.emit('SIGTERM', 'SIGTERM');
    c();
    expect(t.out()).toBe('\x1b[?25l\x1b[?25l\x1b[?25h\x1b[?25l\x1b[?25h');
  });

  it('not a terminal: nothing written, nothing installed', () => {
    let out = '';
    const show = hideCursor({ isTTY: false, write: (s: string) => (out += s) });
    show();
    expect(out).toBe('');
    expect(process.listenerCount('SIGINT')).toBe(0);
  });
});
