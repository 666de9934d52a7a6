import { describe, expect, it } from 'vitest';
import type { Tool, ToolCall } from '../../../src/api/types.js';
import { GLM46Parser, GLM47Parser, parseGLM46ToolCall, parseGlmXml, repairGLM46XML, type GlmEvent } from '../../../src/prompt/parsers/glm46.js';
import { parserFor } from '../../../src/prompt/parsers/index.js';
import { checkCase, splits, tool } from './helpers.js';
import * as T from './glm46.cases.js';

function merged(events: GlmEvent[]): GlmEvent[] {
  const out: GlmEvent[] = [];
  for (const e of events) {
    const prev = out.at(-1);
    if (prev && prev.kind === e.kind && e.kind !== 'glm46EventRawToolCall' && prev.kind !== 'glm46EventRawToolCall') out[out.length - 1] = { ...prev, content: prev.content + e.content };
    else out.push(e);
  }
  return out;
}

function finalizationTools(): Tool[] {
  const grep = tool('grep', { pattern: { type: ['string'] }, path: { type: ['string'] } });
  grep.function.parameters.required = ['pattern', 'path'];
  const write = tool('write', { path: { type: ['string'] }, content: { type: ['string'] } });
  write.function.parameters.required = ['path', 'content'];
  return [grep, write];
}

const three = [
  { function: { index: 0, name: 'first', arguments: { a: '1' } } },
  { function: { index: 1, name: 'second', arguments: { b: '2' } } },
  { function: { index: 2, name: 'third', arguments: { c: '3' } } },
];

describe('GLM-4.6-style parser (Ollama glm46_test.go)', () => {
  describe('TestGLM46ParserStreaming (+ every split)', () => {
    for (const tc of T.streaming as { desc: string; steps: { input: string; wantEvents: GlmEvent[] }[] }[]) {
      it(tc.desc, () => {
        const p = new GLM46Parser();
        tc.steps.forEach((s, i) => {
          p.buffer.value += s.input;
          expect(p.parseEvents(), `step ${i}`).toEqual(s.wantEvents);
        });
        const want = merged(tc.steps.flatMap((s) => s.wantEvents));
        for (const chunks of splits(tc.steps.map((s) => s.input).join(''))) {
          const q = new GLM46Parser();
          const got: GlmEvent[] = [];
          for (const c of chunks) {
            q.buffer.value += c;
            got.push(...q.parseEvents());
          }
          expect(merged(got), JSON.stringify(chunks)).toEqual(want);
        }
      });
    }
  });

  describe('TestGLM46ParserFinalizesCompleteToolCallOnDone', () => {
    const body = 'grep\n<arg_key>pattern</arg_key>\n<arg_value>needle</arg_value>\n<arg_key>path</arg_key>\n<arg_value>.</arg_value>';
    const want = { calls: [{ function: { index: 0, name: 'grep', arguments: { pattern: 'needle', path: '.' } } }] };
    const glm46 = () => new GLM46Parser();
    it('empty final chunk', () => checkCase({ name: 'a', parser: glm46, tools: finalizationTools(), steps: [{ input: `<tool_call>${body}` }, { input: '', done: true }], want }));
    it('tool body in final chunk', () => checkCase({ name: 'b', parser: glm46, tools: finalizationTools(), steps: [{ input: `<tool_call>${body}`, done: true }], want }));
    it('partial outer close in final chunk', () => checkCase({ name: 'c', parser: glm46, tools: finalizationTools(), steps: [{ input: `<tool_call>${body}</tool_`, done: true }], want }));
  });

  describe('TestGLM46ParserRejectsIncompleteToolCallOnDone', () => {
    for (const [name, input] of [
      ['empty body', '<tool_call>'],
      ['partial tool name', '<tool_call>gr'],
      ['incomplete argument value', '<tool_call>write\n<arg_key>path</arg_key>\n<arg_value>out.txt</arg_value>\n<arg_key>content</arg_key>\n<arg_value>partial'],
      ['undeclared tool', '<tool_call>shell\n<arg_key>command</arg_key>\n<arg_value>echo unsafe</arg_value>'],
      ['missing required argument', '<tool_call>write\n<arg_key>path</arg_key>\n<arg_value>out.txt</arg_value>'],
    ] as const) {
      it(name, () => checkCase({ name, parser: () => new GLM46Parser(), tools: finalizationTools(), steps: [{ input, done: true }], error: 'incomplete GLM tool call' }));
    }
  });

  it('TestGLMToolCallXMLOrderPreservation', () => {
    for (const tc of T.xmlOrder as { name: string; xml: string; wantKeys: string[]; wantValues: string[] }[]) {
      const body = tc.xml.trim().replace(/^<tool_call>/, '').replace(/<\/tool_call>$/, '');
      const parsed = parseGlmXml(body);
      expect(parsed.keys, tc.name).toEqual(tc.wantKeys);
      expect(parsed.values, tc.name).toEqual(tc.wantValues);
    }
  });

  describe('TestGLM46ToolCallParsing', () => {
    for (const tc of T.toolCallParsing as { name: string; rawToolCall: string; tools: Tool[]; wantToolCall: ToolCall }[]) {
      it(tc.name, () => {
        const got = parseGLM46ToolCall(tc.rawToolCall, tc.tools);
        expect(got.function.name).toBe(tc.wantToolCall.function.name);
        expect(got.function.arguments).toEqual(tc.wantToolCall.function.arguments ?? {});
      });
    }
  });

  describe('TestRepairGLM46XML', () => {
    for (const tc of T.repair as { name: string; input: string; want: string }[]) it(tc.name, () => expect(repairGLM46XML(tc.input)).toBe(tc.want));
  });
});

describe('glm-4.7 parser (Ollama glm47_test.go), every case also under every split', () => {
  it('TestGLM47ParserAdd', () =>
    checkCase({
      name: 'add',
      parser: 'glm-4.7',
      tools: [tool('calculate', { count: { type: ['integer'] }, enabled: { type: ['boolean'] } })],
      steps: [{ input: 'plan</think>Answer<tool_call>calculate<arg_key>count</arg_key><arg_value>3</arg_value><arg_key>enabled</arg_key><arg_value>true</arg_value></tool_call>', done: true }],
      want: { thinking: 'plan', content: 'Answer', calls: [{ function: { index: 0, name: 'calculate', arguments: { count: 3, enabled: true } } }] },
    }));
  it('TestGLM47ParserNoThinkingContent', () => checkCase({ name: 'no thinking', parser: 'glm-4.7', steps: [{ input: '</think>Plain answer', done: true }], want: { content: 'Plain answer' } }));
  it('TestGLM47ParserThinkingDisabled', () => checkCase({ name: 'disabled', parser: 'glm-4.7', think: false, steps: [{ input: 'Plain answer', done: true }], want: { content: 'Plain answer' } }));
  it('TestGLM47ParserToolCallEscaping', () => {
    expect(parseGLM46ToolCall('exec\n<arg_key>expr</arg_key>\n<arg_value>a < b && c > d</arg_value>', null)).toEqual({ function: { index: 0, name: 'exec', arguments: { expr: 'a < b && c > d' } } });
  });
  it('TestGLM47ParserToolCallIndexing', () =>
    checkCase({
      name: 'indexing',
      parser: 'glm-4.7',
      steps: [{ input: 'plan</think>\n<tool_call>first<arg_key>a</arg_key><arg_value>1</arg_value></tool_call>\n<tool_call>second<arg_key>b</arg_key><arg_value>2</arg_value></tool_call>\n<tool_call>third<arg_key>c</arg_key><arg_value>3</arg_value></tool_call>', done: true }],
      want: { thinking: 'plan', calls: three },
    }));
  it('TestGLM47ParserToolCallIndexingStreaming', () =>
    checkCase({
      name: 'indexing streaming',
      parser: 'glm-4.7',
      steps: [
        { input: 'plan</think><tool_call>first<arg_key>a</arg_key><arg_value>1</arg_value></tool_call><tool_call>second<arg_key>b</arg_key>' },
        { input: '<arg_value>2</arg_value></tool_call><tool_call>third<arg_key>c</arg_key><arg_value>3</arg_value></tool_call>', done: true },
      ],
      want: { thinking: 'plan', calls: three },
    }));
  it('TestGLM47ParserToolCallIndexResetOnInit', () => {
    const p = parserFor('glm-4.7')!;
    p.init(null, null, undefined);
    p.add('plan</think><tool_call>first<arg_key>a</arg_key><arg_value>1</arg_value></tool_call>', true);
    p.init(null, null, undefined);
    expect(p.add('plan</think><tool_call>second<arg_key>b</arg_key><arg_value>2</arg_value></tool_call>', true).calls).toEqual([{ function: { index: 0, name: 'second', arguments: { b: '2' } } }]);
  });
  it('glm-ocr: the GLM-4.6 parser without thinking support (a leading <think> is still read)', () => {
    const p = parserFor('glm-ocr')!;
    expect(p.hasThinkingSupport()).toBe(false);
    expect(new GLM47Parser().hasThinkingSupport()).toBe(true);
    checkCase({ name: 'ocr', parser: 'glm-ocr', steps: [{ input: '# Title\n\nText', done: true }], want: { content: '# Title\n\nText' } });
  });
});
