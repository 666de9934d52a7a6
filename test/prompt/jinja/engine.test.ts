/** The bounded Jinja engine: limits for untrusted templates, errors, globals. */
import { describe, expect, it } from 'vitest';
import { compileJinja, JinjaError, JinjaLimitError, JinjaRaisedError, renderJinja } from '../../../src/prompt/jinja/index.js';
import { strftime } from '../../../src/prompt/jinja/strftime.js';

const render = (src: string, vars: Record<string, unknown> = {}, limits = {}) => renderJinja(compileJinja(src), vars, limits);
function failure(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a failure');
}

describe('limits for untrusted chat templates', () => {
  it('counts evaluation steps, empty loop bodies included', () => {
    const e = failure(() => render('{% for a in range(1000) %}{% for b in range(1000) %}{% endfor %}{% endfor %}', {}, { maxSteps: 10_000 }));
    expect(e).toBeInstanceOf(JinjaLimitError);
    expect(e.message).toBe('chat template exceeded 10000 evaluation steps');
  });

  it('has a deadline', () => {
    const e = failure(() => render('{% for a in range(100000) %}{{ a }}{% endfor %}', {}, { timeoutMs: 0 }));
    expect(e).toBeInstanceOf(JinjaLimitError);
    expect(e.message).toBe('chat template took longer than 0 ms');
  });

  it('caps strings built by doubling, and the output', () => {
    const dbl = failure(() => render("{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s }}"));
    expect(dbl.message).toBe('chat template output exceeds 16777216 bytes');
    const out = failure(() => render('{% for i in range(1000) %}xxxxxxxxxx{% endfor %}', {}, { maxOutput: 5000 }));
    expect(out).toBeInstanceOf(JinjaLimitError);
  });

  it('caps lists and ranges as jinja2’s sandbox does', () => {
    expect(failure(() => render('{{ range(100001) | length }}')).message).toBe('Range too big. The sandbox blocks ranges larger than MAX_RANGE (100000).');
    expect(render('{{ range(100000) | length }}')).toBe('100000');
    expect(failure(() => render('{% set ns = namespace(l=[1]) %}{% for i in range(30) %}{% set ns.l = ns.l + ns.l %}{% endfor %}')).message).toBe(
      'chat template list exceeds 1000000 items',
    );
  });

  it('raise_exception carries the template’s message; other failures say what went wrong', () => {
    const e = failure(() => render("{{ raise_exception('Only user and assistant roles are supported!') }}"));
    expect(e).toBeInstanceOf(JinjaRaisedError);
    expect(e.message).toBe('Only user and assistant roles are supported!');
    const p = failure(() => compileJinja('{% if x %}'));
    expect(p).toBeInstanceOf(JinjaError);
    expect((p as JinjaError).phase).toBe('parse');
    const r = failure(() => render('{{ none + 1 }}'));
    expect((r as JinjaError).phase).toBe('render');
    expect(r.message).toMatch(/^chat template: /);
  });

  it('absurdly nested input is an error, not a crash', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const e = failure(() => render('{{ x | tojson }}', { x: deep }));
    expect(e).toBeInstanceOf(JinjaLimitError);
  });

  it('ordinary templates are not affected', () => {
    const msgs = Array.from({ length: 2000 }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: `m${i}` }));
    expect(render('{% for m in messages %}{{ m.role[0] }}{% endfor %}', { messages: msgs })).toHaveLength(2000);
  });
});

describe('strftime_now', () => {
  it('formats in the C locale', () => {
    const d = new Date(2026, 6, 4, 9, 5, 3);
    expect(strftime(d, '%d %b %Y|%B %d, %Y|%A %a %H:%M:%S %I%p %j %y %e|%%|%Q')).toBe('04 Jul 2026|July 04, 2026|Saturday Sat 09:05:03 09AM 185 26  4|%|%Q');
  });
  it('is a global of every render', () => {
    expect(render("{{ strftime_now('%Y') }}")).toBe(String(new Date().getFullYear()));
  });
});
