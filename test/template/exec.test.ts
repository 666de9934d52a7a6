import { describe, expect, it } from 'vitest';
import { GoMap, GoSlice, GoStruct, TemplateError, TemplateExecError, renderGoTemplate } from '../../src/template/index.js';

const data = {
  s: 'hello', e: '', n: 3, f: 1.5, z: 0, t: true, nul: null,
  arr: ['a', 'b', 'c'], empty: [], obj: { b: 'x', a: 1, c: { d: 'deep' } }, eobj: {},
  msgs: [{ Role: 'system', Content: 'sys' }, { Role: 'user', Content: 'hi' }, { Role: 'assistant', Content: 'yo' }],
};

describe('execution', () => {
  it.each<[string, string]>([
    // output and trimming
    ['a {{ .s }} b', 'a hello b'],
    ['a  \n{{- .s -}}\n  b', 'ahellob'],
    ['{{ .missing }}|{{ .nul }}', '<no value>|<no value>'],
    ['{{ .obj.c.d }}', 'deep'],
    ['{{ $.s }}', 'hello'],
    // if / else if / with / range
    ['{{ if .e }}A{{ else if .z }}B{{ else }}C{{ end }}', 'C'],
    ['{{ if .arr }}T{{ end }}{{ if .empty }}F{{ end }}{{ if .eobj }}F{{ end }}{{ if .obj }}T{{ end }}', 'TT'],
    ['{{ with .obj.c }}{{ .d }}{{ end }}', 'deep'],
    ['{{ with .missing }}A{{ else with .s }}{{ . }}{{ else }}C{{ end }}', 'hello'],
    ['{{ range .arr }}{{ . }}{{ end }}', 'abc'],
    ['{{ range $i, $e := .arr }}{{ $i }}{{ $e }}{{ end }}', '0a1b2c'],
    ['{{ range $e := .arr }}{{ $e }}{{ end }}', 'abc'],
    ['{{ range $k, $v := .obj }}{{ $k }}={{ $v }};{{ end }}', 'a=1;b=x;c=map[d:deep];'],
    ['{{ range .empty }}x{{ else }}none{{ end }}', 'none'],
    ['{{ range .missing }}x{{ else }}none{{ end }}', 'none'],
    ['{{ range 3 }}{{ . }}{{ end }}', '012'],
    ['{{ range $v := 2 }}{{ $v }}{{ end }}', '01'],
    ['{{ range -1 }}x{{ else }}neg{{ end }}', 'neg'],
    ['{{ range .arr }}{{ if eq . "b" }}{{ continue }}{{ end }}{{ . }}{{ end }}', 'ac'],
    ['{{ range .arr }}{{ if eq . "b" }}{{ break }}{{ end }}{{ . }}{{ end }}', 'a'],
    ['{{ range .msgs }}{{ range $.arr }}{{ if eq . "b" }}{{ break }}{{ end }}{{ . }}{{ end }}|{{ end }}', 'a|a|a|'],
    // variables
    ['{{ $x := "a" }}{{ if true }}{{ $x = "b" }}{{ end }}{{ $x }}', 'b'],
    ['{{ $acc := "" }}{{ range .arr }}{{ $acc = print $acc . }}{{ end }}{{ $acc }}', 'abc'],
    ['{{ $o := .obj }}{{ $o.c.d }}', 'deep'],
    ['{{ range $i, $_ := .msgs }}{{ $last := eq (len (slice $.msgs $i)) 1 }}{{ $last }};{{ end }}', 'false;false;true;'],
    // functions
    ['{{ and 1 0 2 }}|{{ and 1 2 "x" }}|{{ or 0 "" }}|{{ or 0 "y" 1 }}', '0|x||y'],
    ['{{ or 1 (index .arr 10) }}', '1'],
    ['{{ not "" }} {{ not .arr }} {{ not .missing }}', 'true false true'],
    ['{{ eq .s "hello" }} {{ eq "x" "a" "x" }} {{ ne .s "x" }} {{ eq .missing "" }} {{ eq nil nil }}', 'true true true false true'],
    ['{{ lt 1 2 }} {{ le 2 2 }} {{ gt "b" "a" }} {{ ge 1.5 2.5 }}', 'true true true false'],
    ['{{ len .arr }} {{ len .obj }} {{ len "héllo" }} {{ len .empty }}', '3 3 6 0'],
    ['{{ slice .arr 1 }}|{{ slice .arr 1 2 }}|{{ slice .arr }}|{{ slice "héllo" 0 3 }}', '[b c]|[b]|[a b c]|hé'],
    ['{{ index .arr 1 }} {{ index .obj "c" "d" }} {{ index .obj "nope" }} {{ index "hi" 0 }}', 'b deep <no value> 104'],
    ['{{ (index .msgs 1).Role }}', 'user'],
    ['{{ print "a" 1 2 "b" 3 }}|{{ print nil }}|{{ println "x" 1 }}', 'a1 2b3|<nil>|x 1\n'],
    ['{{ printf "%s=%d" "k" 5 }}|{{ printf "%v" .f }}|{{ printf "%5.1f|%-3s|%03d" .f "a" 7 }}', 'k=5|1.5|  1.5|a  |007'],
    ['{{ printf "%s" 3 }}|{{ printf "%d" .n }}|{{ printf "%s" }}|{{ printf "%s" "a" 2 }}', '%!s(int=3)|%!d(float64=3)|%!s(MISSING)|a%!(EXTRA int=2)'],
    ['{{ .s | printf "%s!" }}|{{ .arr | len }}', 'hello!|3'],
    ['{{ html "<a&\'\\">" }}|{{ js "a\'<" }}|{{ urlquery "a b&é" }}', '&lt;a&amp;&#39;&#34;&gt;|a\\\'\\u003C|a+b%26%C3%A9'],
    ['{{ json .obj }}|{{ json "<&>" }}|{{ json .missing }}', '{"a":1,"b":"x","c":{"d":"deep"}}|"\\u003c\\u0026\\u003e"|null'],
    ['{{ toTypeScriptType .obj }}', 'any'],
    // printing
    ['{{ .arr }} {{ .empty }} {{ .obj }} {{ .msgs }}', '[a b c] [] map[a:1 b:x c:map[d:deep]] [map[Content:sys Role:system] map[Content:hi Role:user] map[Content:yo Role:assistant]]'],
    ['{{ 1000000.0 }} {{ 1234567.0 }} {{ 0.00001 }} {{ 100000.0 }} {{ 1.5 }}', '1e+06 1.234567e+06 1e-05 100000 1.5'],
    ['{{ define "T" }}<{{ . }}>{{ end }}{{ template "T" .s }}{{ template "T" }}', '<hello><<no value>>'],
    ['{{ block "B" .n }}[{{ . }}]{{ end }}', '[3]'],
    ['{{/* comment */}}x{{- /* c2 */ -}} y', 'xy'],
  ])('%j', (src, want) => {
    expect(renderGoTemplate(src, data)).toBe(want);
  });

  it('executes without data', () => {
    expect(renderGoTemplate('{{ .A }}{{ .A.B }}', undefined)).toBe('<no value><no value>');
  });

  it('uses the injected clock for dates', () => {
    const now = () => new Date(2026, 2, 1, 12);
    expect(renderGoTemplate('{{ currentDate }} {{ yesterdayDate "x" }}', {}, { now })).toBe('2026-03-01 2026-02-28');
  });

  it.each<[string, RegExp]>([
    ['{{ .missing.x }}', /nil pointer evaluating interface \{\}\.x/],
    ['{{ .s.x }}', /can't evaluate field x in type/],
    ['{{ eq .n 3 }}', /error calling eq: incompatible types for comparison/],
    ['{{ eq .arr .arr }}', /non-comparable type/],
    ['{{ lt true false }}', /invalid type for comparison/],
    ['{{ len .n }}', /error calling len: len of type float64/],
    ['{{ len nil }}', /len of nil pointer/],
    ['{{ index .arr 5 }}', /error calling index: index out of range: 5/],
    ['{{ index .arr 1.0 }}', /cannot index slice\/array with type float64/],
    ['{{ slice .arr 2 1 }}', /invalid slice index: 2 > 1/],
    ['{{ slice "abc" 0 1 2 }}', /cannot 3-index slice a string/],
    ['{{ range .n }}{{ end }}', /range can't iterate over 3/],
    ['{{ range .s }}{{ end }}', /range can't iterate over hello/],
    ['{{ range $i, $v := 3 }}{{ end }}', /can't use 3 to iterate over more than one variable/],
    ['{{ printf 3 }}', /wrong type for value; expected string; got int/],
    ['{{ not 1 2 }}', /wrong number of args for not: want 1 got 2/],
    ['{{ .s 1 }}', /s is not a method but has arguments/],
    ['{{ 1 2 }}', /can't give argument to non-function 1/],
    ['{{ nil }}', /nil is not a command/],
    ['{{ template "nope" }}', /template "nope" not defined/],
    ['{{ call .s }}', /error calling call: non-function of type string/],
  ])('%j fails', (src, re) => {
    let err: unknown;
    try {
      renderGoTemplate(src, data);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TemplateExecError);
    expect((err as TemplateError).phase).toBe('exec');
    expect((err as TemplateError).status).toBe(500);
    expect((err as Error).message).toMatch(re);
    expect((err as Error).message).toMatch(/^template: :1:\d+: executing "" at </);
  });
});

describe('typed Go values', () => {
  const msg = new GoStruct('*template.templateMessage', [['Role', 'user'], ['Content', 'hi'], ['Images', new GoSlice('[]x', null)]]);
  const args = new GoMap('api.ToolCallFunctionArguments', { b: 1, a: 'x' }, { string: () => 'STR' });

  it('reads struct fields and rejects unknown ones', () => {
    expect(renderGoTemplate('{{ .Role }}:{{ .Content }}', msg)).toBe('user:hi');
    expect(() => renderGoTemplate('{{ .Foo }}', msg)).toThrow(/can't evaluate field Foo in type \*template\.templateMessage/);
  });

  it('prints structs as {v1 v2} and nil slices as []', () => {
    expect(renderGoTemplate('{{ . }}', msg)).toBe('{user hi []}');
  });

  it('uses String() at any depth but ranges over the underlying map', () => {
    expect(renderGoTemplate('{{ . }}|{{ range $k, $v := . }}{{ $k }}{{ $v }}{{ end }}|{{ .a }}|{{ .zz }}', args)).toBe('STR|axb1|x|<no value>');
    expect(renderGoTemplate('{{ . }}', [args, args])).toBe('[STR STR]');
  });

  it('treats nil typed collections as empty and falsy', () => {
    expect(renderGoTemplate('{{ if . }}T{{ else }}F{{ end }}{{ len . }}', new GoSlice('t', null))).toBe('F0');
  });
});

describe('untrusted data', () => {
  it('never walks prototypes', () => {
    const src = '{{ .constructor }}|{{ .__proto__ }}|{{ .toString }}|{{ index . "hasOwnProperty" }}|{{ .a.constructor }}';
    expect(renderGoTemplate(src, { a: {} })).toBe('<no value>|<no value>|<no value>|<no value>|<no value>');
  });

  it('reads an own __proto__ key from JSON data as an ordinary key', () => {
    const d = JSON.parse('{"__proto__": "own"}');
    expect(renderGoTemplate('{{ index . "__proto__" }}', d)).toBe('own');
  });

  it('does not read array properties as fields', () => {
    expect(() => renderGoTemplate('{{ .arr.length }}', { arr: [1] })).toThrow(/can't evaluate field length/);
  });
});
