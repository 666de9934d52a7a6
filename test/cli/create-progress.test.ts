import { describe, expect, it } from 'vitest';
import { StepProgress } from '../../src/cli/create-progress.js';

function sink(isTTY: boolean): { text: string; isTTY: boolean; write: (s: string) => boolean } {
  const o = { text: '', isTTY, write: (s: string) => ((o.text += s), true) };
  return o;
}

describe('StepProgress', () => {
  it('plain output: each step once, with its final text', () => {
    const o = sink(false);
    const p = new StepProgress(o);
    p.step('gathering model components');
    p.step('copying file sha256:ab 0%');
    p.update('copying file sha256:ab 57%');
    p.update('copying file sha256:ab 100%');
    p.step('success');
    p.finish();
    expect(o.text).toBe('gathering model components\ncopying file sha256:ab 100%\nsuccess\n');
  });
  it('terminal output: redrawn in place, each finished step left on its line', () => {
    const o = sink(true);
    const p = new StepProgress(o);
    p.step('parsing GGUF');
    p.step('success');
    p.finish();
    expect(o.text).toContain('\r\x1b[Kparsing GGUF \n');
    expect(o.text.endsWith('\r\x1b[Ksuccess \n')).toBe(true);
  });
});
