import { describe, expect, it } from 'vitest';
import { TemplateError, TemplateLimitError, renderGoTemplate } from '../../src/template/index.js';

function failure(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a failure');
}

describe('safety limits for untrusted templates', () => {
  it('stops unbounded loops by counting steps', () => {
    const e = failure(() => renderGoTemplate('{{ range 1000000000 }}x{{ end }}', {}, { maxSteps: 10_000 }));
    expect(e).toBeInstanceOf(TemplateLimitError);
    expect(e.message).toMatch(/exceeded 10000 evaluation steps/);
  });

  it('uses a default step limit', () => {
    const e = failure(() => renderGoTemplate('{{ range 100000000 }}{{ end }}', {}));
    expect(e).toBeInstanceOf(TemplateLimitError);
  });

  it('stops executions past their deadline (expensive steps make the step bound slow)', () => {
    const e = failure(() => renderGoTemplate('{{ range 1000000 }}x{{ end }}', {}, { timeoutMs: 0 }));
    expect(e).toBeInstanceOf(TemplateLimitError);
    expect(e.message).toMatch(/template took longer than 0 ms/);
  });

  it('caps output size', () => {
    const e = failure(() => renderGoTemplate('{{ range 1000 }}xxxxxxxxxx{{ end }}', {}, { maxOutput: 5000 }));
    expect(e).toBeInstanceOf(TemplateLimitError);
    expect(e.message).toMatch(/output exceeds 5000 bytes/);
  });

  it('caps strings built by doubling', () => {
    const src = '{{ $x := "ab" }}{{ range 60 }}{{ $x = printf "%s%s" $x $x }}{{ end }}{{ len $x }}';
    const e = failure(() => renderGoTemplate(src, {}));
    expect(e).toBeInstanceOf(TemplateLimitError);
  });

  it('caps template recursion', () => {
    const e = failure(() => renderGoTemplate('{{ define "r" }}{{ template "r" . }}{{ end }}{{ template "r" . }}', {}));
    expect(e).toBeInstanceOf(TemplateLimitError);
    expect(e.message).toMatch(/exceeded maximum template depth \(100\)/);
  });

  it('turns absurdly nested data into a template error, not a crash', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const e = failure(() => renderGoTemplate('{{ . }}', deep));
    expect(e).toBeInstanceOf(TemplateError);
  });

  it('allows ordinary work under the limits', () => {
    const msgs = Array.from({ length: 2000 }, (_, i) => ({ Role: i % 2 ? 'assistant' : 'user', Content: `m${i}` }));
    const out = renderGoTemplate('{{ range $i, $m := .M }}{{ if eq .Role "user" }}U{{ else }}A{{ end }}{{ end }}', { M: msgs });
    expect(out.length).toBe(2000);
  });
});
