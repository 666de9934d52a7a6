import { describe, expect, it } from 'vitest';
import type { ActionNode, IfNode, RangeNode } from '../../src/template/ast.js';
import { nodeString } from '../../src/template/ast.js';
import { TemplateError, parseGoTemplate } from '../../src/template/index.js';

describe('parser tree shapes', () => {
  it('parses else-if as an IfNode alone in the else list', () => {
    const t = parseGoTemplate('{{ if .A }}a{{ else if .B }}b{{ else }}c{{ end }}');
    const n = t.root.nodes[0] as IfNode;
    expect(n.type).toBe('if');
    expect(n.elseList?.nodes).toHaveLength(1);
    const inner = n.elseList?.nodes[0] as IfNode;
    expect(inner.type).toBe('if');
    expect(nodeString(inner.pipe)).toBe('.B');
    expect(inner.elseList?.nodes[0]).toMatchObject({ type: 'text', text: 'c' });
  });

  it('keeps text nodes already trimmed and drops empty ones', () => {
    const t = parseGoTemplate('{{ .A }}\n  \n{{- .B }}');
    expect(t.root.nodes.map((n) => n.type)).toEqual(['action', 'action']);
  });

  it('merges field chains and builds chain nodes', () => {
    const t = parseGoTemplate('{{ .A.B }}{{ $x := 1 }}{{ $x.C }}{{ (index .M 0).Role }}');
    const args = t.root.nodes.map((n) => (n as ActionNode).pipe.cmds[0]?.args[0]);
    expect(args[0]).toMatchObject({ type: 'field', ident: ['A', 'B'] });
    expect(args[2]).toMatchObject({ type: 'variable', ident: ['$x', 'C'] });
    expect(args[3]).toMatchObject({ type: 'chain', field: ['Role'] });
  });

  it('parses range declarations', () => {
    const r = parseGoTemplate('{{ range $i, $m := .Messages }}{{ end }}').root.nodes[0] as RangeNode;
    expect(r.pipe.decl.map((d) => d.ident[0])).toEqual(['$i', '$m']);
    expect(r.pipe.isAssign).toBe(false);
  });

  it('distinguishes int and float literals', () => {
    const t = parseGoTemplate('{{ 3 }}{{ 3.0 }}{{ 1e3 }}{{ 0x1F }}{{ \'a\' }}');
    const vals = t.root.nodes.map((n) => ((n as ActionNode).pipe.cmds[0]?.args[0] as { value: unknown }).value);
    expect(vals).toEqual([3n, 3, 1000, 31n, 97n]);
  });

  it('collects define and block templates', () => {
    const t = parseGoTemplate('{{ define "a" }}A{{ end }}{{ block "b" . }}B{{ end }}');
    expect([...t.templates.keys()].sort()).toEqual(['', 'a', 'b']);
  });
});

describe('parse errors', () => {
  it.each<[string, string]>([
    ['{{ .X ', 'template: :1: unclosed action'],
    ['{{ foo }}', 'template: :1: function "foo" not defined'],
    ['{{ $nope }}', 'template: :1: undefined variable "$nope"'],
    ['{{ else }}', 'template: :1: unexpected {{else}}'],
    ['{{ end }}', 'template: :1: unexpected {{end}}'],
    ['{{ if .X }}', 'template: :1: unexpected EOF'],
    ['{{ break }}', 'template: :1: {{break}} outside {{range}}'],
    ['{{ continue }}', 'template: :1: {{continue}} outside {{range}}'],
    ['{{ range .X }}{{ else }}{{ continue }}{{ end }}', 'template: :1: {{continue}} outside {{range}}'],
    ['{{ if }}{{ end }}', 'template: :1: missing value for if'],
    ['{{ .X | 3 }}', 'template: :1: non executable command in pipeline stage 2'],
    ['{{ "a".B }}', 'template: :1: unexpected . after term "\\"a\\""'],
    ['{{ if true }}{{ $y := 1 }}{{ end }}{{ $y }}', 'template: :1: undefined variable "$y"'],
    ['{{ range $a, $b, $c := .X }}{{ end }}', 'template: :1: too many declarations in range'],
    ['\n\n{{ .X', 'template: :3: unclosed action'],
    ['{{ 1i }}', 'template: :1: complex number 1i is not supported'],
    ['{{ 99999999999999999999 }}', 'template: :1: 99999999999999999999 overflows int'],
    ['{{ "\\q" }}', 'template: :1: invalid syntax: "\\q"'],
  ])('%j → %s', (src, msg) => {
    let err: unknown;
    try {
      parseGoTemplate(src);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TemplateError);
    expect((err as TemplateError).phase).toBe('parse');
    expect((err as TemplateError).status).toBe(400);
    expect((err as Error).message).toBe(msg);
  });

  it('rejects absurd nesting with a clear error', () => {
    expect(() => parseGoTemplate(`{{ ${'('.repeat(500)}1${')'.repeat(500)} }}`)).toThrow(/nesting exceeds/);
    expect(() => parseGoTemplate(`${'{{ if 1 }}'.repeat(500)}${'{{ end }}'.repeat(500)}`)).toThrow(/nesting exceeds/);
  });
});
