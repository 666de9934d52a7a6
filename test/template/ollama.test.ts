import { describe, expect, it } from 'vitest';
import {
  DEFAULT_TEMPLATE, TemplateError, collate, executeOllamaTemplate, parseOllamaTemplate, renderChatPrompt,
  renderGeneratePrompt, templateCapabilities, thinkValues, usesMessages,
} from '../../src/template/index.js';

const CHATML = '{{- range .Messages }}<|im_start|>{{ .Role }}\n{{ .Content }}<|im_end|>\n{{ end }}<|im_start|>assistant\n';
const LEGACY = '{{ if .System }}S:{{ .System }}\n{{ end }}U:{{ .Prompt }}\nA:{{ .Response }}<END>\n';

describe('parseOllamaTemplate', () => {
  it('appends {{ .Response }} when neither .Messages nor .Response is used', () => {
    const t = parseOllamaTemplate('{{ .System }} {{ .Prompt }}');
    expect(t.vars).toEqual(['prompt', 'response', 'system']);
    expect(usesMessages(t)).toBe(false);
    expect(parseOllamaTemplate(CHATML).vars).toEqual(['content', 'messages', 'role']);
  });

  it('reports tools and insert capabilities', () => {
    expect(templateCapabilities(parseOllamaTemplate('{{ .Tools }}{{ .Prompt }}'))).toEqual({ tools: true, insert: false });
    expect(templateCapabilities(parseOllamaTemplate('{{ .Suffix }}{{ .Prompt }}'))).toEqual({ tools: false, insert: true });
  });

  it('rejects {{template}} without a pipeline and bad syntax with status 400', () => {
    expect(() => parseOllamaTemplate('{{ define "x" }}x{{ end }}{{ template "x" }}')).toThrow('undefined template specified');
    const e = (() => {
      try {
        parseOllamaTemplate('{{ .Prompt ');
      } catch (err) {
        return err as TemplateError;
      }
      return null;
    })();
    expect(e).toBeInstanceOf(TemplateError);
    expect(e?.status).toBe(400);
    expect(e?.message).toBe('template: :1: unclosed action');
  });
});

describe('collate', () => {
  it('merges consecutive roles except tool and joins system messages', () => {
    const r = collate([
      { role: 'System', content: 'A' }, { role: 'system', content: 'B' }, { role: 'user', content: 'x' },
      { role: 'tool', content: 't1' }, { role: 'tool', content: 't2' },
    ]);
    expect(r.system).toBe('A\n\nB');
    expect(r.messages.map((m) => `${m.role}:${m.content}`)).toEqual(['system:A\n\nB', 'user:x', 'tool:t1', 'tool:t2']);
  });
});

describe('renderChatPrompt', () => {
  it('renders the messages path', () => {
    const out = renderChatPrompt({ template: CHATML, messages: [{ role: 'user', content: 'hi' }] });
    expect(out).toBe('<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n');
  });

  it('prepends the model SYSTEM unless the first message is a system one', () => {
    const a = renderChatPrompt({ template: CHATML, system: 'S', messages: [{ role: 'user', content: 'hi' }] });
    expect(a.startsWith('<|im_start|>system\nS<|im_end|>\n')).toBe(true);
    const b = renderChatPrompt({ template: CHATML, system: 'S', messages: [{ role: 'system', content: 'mine' }, { role: 'user', content: 'hi' }] });
    expect(b).not.toContain('\nS<');
    expect(b).toContain('mine');
  });

  it('renders the legacy path, cutting the last turn after .Response', () => {
    const out = renderChatPrompt({
      template: LEGACY,
      messages: [
        { role: 'system', content: 'sys' }, { role: 'user', content: 'q1' }, { role: 'assistant', content: 'a1' },
        { role: 'user', content: 'q2' },
      ],
    });
    expect(out).toBe('S:sys\nU:q1\nA:a1<END>\nU:q2\nA:');
  });

  it('renders tools as JSON and tool calls', () => {
    const tpl = '{{ range .Tools }}{{ . }}{{ end }}|{{ range .Messages }}{{ range .ToolCalls }}{{ .Function.Name }}{{ .Function.Arguments }}{{ end }}{{ end }}';
    const out = renderChatPrompt({
      template: tpl,
      tools: [{ type: 'function', function: { name: 'f', description: 'd', parameters: { type: 'object', properties: { b: { type: 'string' }, a: { type: ['integer', 'null'] } } } } }],
      messages: [{ role: 'assistant', content: '', tool_calls: [{ function: { name: 'f', arguments: { z: 1, a: '<' } } }] }],
    });
    expect(out).toBe('{"type":"function","function":{"name":"f","description":"d","parameters":{"type":"object","properties":{"a":{"type":["integer","null"]},"b":{"type":"string"}}}}}|f{"a":"\\u003c","z":1}');
  });

  it('passes think values', () => {
    const tpl = '{{ range .Messages }}{{ end }}{{ .Think }}|{{ .ThinkLevel }}|{{ .IsThinkSet }}';
    expect(renderChatPrompt({ template: tpl, messages: [], think: true })).toBe('true|medium|true');
    expect(renderChatPrompt({ template: tpl, messages: [], think: 'high' })).toBe('true|high|true');
    expect(renderChatPrompt({ template: tpl, messages: [], think: false })).toBe('false||true');
    expect(renderChatPrompt({ template: tpl, messages: [] })).toBe('false||false');
    expect(thinkValues(undefined)).toEqual({ think: false, thinkLevel: '', isThinkSet: false });
  });

  it('is callable on a subset of messages (history truncation lives in the runtime)', () => {
    const msgs = [{ role: 'user', content: 'a' }, { role: 'assistant', content: 'b' }, { role: 'user', content: 'c' }];
    const full = renderChatPrompt({ template: CHATML, messages: msgs });
    const tail = renderChatPrompt({ template: CHATML, messages: msgs.slice(2) });
    expect(full.length).toBeGreaterThan(tail.length);
    expect(tail).toBe('<|im_start|>user\nc<|im_end|>\n<|im_start|>assistant\n');
  });

  it('surfaces execution errors as TemplateError with status 500', () => {
    let err: unknown;
    try {
      renderChatPrompt({ template: '{{ range .Messages }}{{ .Foo }}{{ end }}', messages: [{ role: 'user', content: 'x' }] });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TemplateError);
    expect((err as TemplateError).status).toBe(500);
  });
});

describe('renderGeneratePrompt', () => {
  it('uses the default template when the model has none (SYSTEM is dropped)', () => {
    expect(DEFAULT_TEMPLATE).toBe('{{ .Prompt }}');
    expect(renderGeneratePrompt({ template: '', prompt: 'hello', system: 'sys' })).toBe('hello');
  });

  it('renders system + prompt through the messages path', () => {
    expect(renderGeneratePrompt({ template: CHATML, prompt: 'hi', system: 'S' }))
      .toBe('<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n');
  });

  it('takes the suffix path when prompt and suffix are both set', () => {
    const tpl = '{{- if .Suffix }}<PRE> {{ .Prompt }} <SUF>{{ .Suffix }} <MID>{{- else }}{{ .Prompt }}{{- end }}';
    expect(renderGeneratePrompt({ template: tpl, prompt: 'def f(', suffix: 'return 1' })).toBe('<PRE> def f( <SUF>return 1 <MID>');
  });

  it('includes model messages unless context is given, and prepends context text', () => {
    const history = [{ role: 'user', content: 'old' }, { role: 'assistant', content: 'reply' }];
    expect(renderGeneratePrompt({ template: CHATML, prompt: 'new', messages: history })).toContain('old');
    const withCtx = renderGeneratePrompt({ template: CHATML, prompt: 'new', messages: history, contextText: 'CTX' });
    expect(withCtx.startsWith('CTX<|im_start|>user\nnew')).toBe(true);
    expect(withCtx).not.toContain('old');
  });

  it('accepts a pre-parsed template', () => {
    const t = parseOllamaTemplate(CHATML);
    expect(renderGeneratePrompt({ template: t, prompt: 'x' })).toContain('x<|im_end|>');
    expect(executeOllamaTemplate(t, { messages: [] })).toBe('<|im_start|>assistant\n');
  });
});
