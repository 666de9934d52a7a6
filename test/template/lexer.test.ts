import { describe, expect, it } from 'vitest';
import { lex } from '../../src/template/lexer.js';

const kinds = (s: string) => lex(s).map((i) => (i.type === 'space' ? ' ' : `${i.type}:${i.val}`));

describe('lexer', () => {
  it.each<[string, string[]]>([
    ['hello', ['text:hello', 'eof:']],
    ['a {{ .X }} b', ['text:a ', 'leftDelim:{{', ' ', 'field:.X', ' ', 'rightDelim:}}', 'text: b', 'eof:']],
    ['a \n {{- .X -}} \n b', ['text:a', 'leftDelim:{{', 'field:.X', 'rightDelim:}}', 'text:b', 'eof:']],
    ['{{-3}}', ['leftDelim:{{', 'number:-3', 'rightDelim:}}', 'eof:']],
    ['{{ $x := 1 }}', ['leftDelim:{{', ' ', 'variable:$x', ' ', 'declare::=', ' ', 'number:1', ' ', 'rightDelim:}}', 'eof:']],
    ['{{ $ }}{{ . }}', ['leftDelim:{{', ' ', 'variable:$', ' ', 'rightDelim:}}', 'leftDelim:{{', ' ', 'dot:.', ' ', 'rightDelim:}}', 'eof:']],
    ['{{if}}{{else}}{{end}}', ['leftDelim:{{', 'if:if', 'rightDelim:}}', 'leftDelim:{{', 'else:else', 'rightDelim:}}', 'leftDelim:{{', 'end:end', 'rightDelim:}}', 'eof:']],
    ['{{ "a\\"b" `r` \'c\' }}', ['leftDelim:{{', ' ', 'string:"a\\"b"', ' ', 'rawString:`r`', ' ', "char:'c'", ' ', 'rightDelim:}}', 'eof:']],
    ['{{ (f .A).B | g }}', ['leftDelim:{{', ' ', 'leftParen:(', 'identifier:f', ' ', 'field:.A', 'rightParen:)', 'field:.B', ' ', 'pipe:|', ' ', 'identifier:g', ' ', 'rightDelim:}}', 'eof:']],
    ['x {{/* c\n */}} y', ['text:x ', 'text: y', 'eof:']],
    ['x {{- /* c */ -}} y', ['text:x', 'text:y', 'eof:']],
    ['{{ true nil }}', ['leftDelim:{{', ' ', 'bool:true', ' ', 'nil:nil', ' ', 'rightDelim:}}', 'eof:']],
  ])('%j', (src, want) => {
    expect(kinds(src)).toEqual(want);
  });

  it('does not trim \\f, \\v or U+00A0', () => {
    expect(kinds('a\f\u00a0 {{- 1 }}')).toEqual(['text:a\f\u00a0', 'leftDelim:{{', 'number:1', ' ', 'rightDelim:}}', 'eof:']);
  });

  it.each<[string, string]>([
    ['{{ .X ', 'unclosed action'],
    ['{{ "abc }}', 'unterminated quoted string'],
    ['{{ `abc }}', 'unterminated raw quoted string'],
    ['{{/* abc', 'unclosed comment'],
    ['{{/* c */ .X }}', 'comment ends before closing delimiter'],
    ['{{ 3x }}', 'bad number syntax: "3x"'],
    ['{{ ) }}', 'unexpected right paren'],
    ['{{ ( }}', 'unclosed left paren'],
    ['{{ a: }}', 'expected :='],
  ])('error for %j', (src, msg) => {
    const items = lex(src);
    const last = items[items.length - 1];
    expect(last?.type).toBe('error');
    expect(last?.val).toBe(msg);
  });

  it('tracks lines', () => {
    const items = lex('a\nb{{ .X\n }}\nc{{ .Y }}');
    expect(items.find((i) => i.val === '.Y')?.line).toBe(4);
  });
});
