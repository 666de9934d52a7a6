import { describe, expect, it } from 'vitest';
import { inferThinkingTags, parseGoTemplate, toolCallPrefix } from '../../src/template/index.js';

describe('toolCallPrefix', () => {
  it.each<[string, string]>([
    ['{{ range .Messages }}{{ if .ToolCalls }}<tool_call>\n{{ range .ToolCalls }}{"name": x}{{ end }}</tool_call>{{ end }}{{ end }}', '<tool_call>'],
    ['{{- if .ToolCalls }} functools[{{ range .ToolCalls }}x{{ end }}]{{ end }}', 'functools['],
    ['{{ if .ToolCalls }}[TOOL_CALLS] [{{ end }}', '[TOOL_CALLS] ['],
    ['{{ if .ToolCalls }}{"name": 1}{{ end }}', '{'],
    ['{{ if .ToolCalls }}{{ .Content }}tag{{ end }}', '{'],
    ['{{ .Prompt }}', '{'],
    ['{{ if .Content }}x{{ else if .ToolCalls }}<call>{{ end }}', '<call>'],
  ])('%j → %s', (src, want) => {
    expect(toolCallPrefix(parseGoTemplate(src).root)).toBe(want);
  });
});

describe('inferThinkingTags', () => {
  it('finds the tags around .Thinking in the messages range', () => {
    const t = parseGoTemplate('{{ range .Messages }}{{ if .Thinking }}<think>{{ .Thinking }}</think>{{ end }}{{ .Content }}{{ end }}');
    expect(inferThinkingTags(t.root)).toEqual({ open: '<think>', close: '</think>' });
  });

  it('ignores .Thinking outside a Messages range', () => {
    const t = parseGoTemplate('{{ if .Thinking }}<think>{{ .Thinking }}</think>{{ end }}');
    expect(inferThinkingTags(t.root)).toEqual({ open: '', close: '' });
  });
});
