import { describe, expect, it } from 'vitest';
import { FunctionNameMap, HarmonyParser, parseHarmonyHeader, type HarmonyEvent } from '../../../src/prompt/parsers/harmony.js';
import { checkCase, splits, tool, type ParserCase } from './helpers.js';
import * as T from './harmony.cases.js';

/** Adjacent content events merged: what a stream reader sees whatever the chunking. */
function merged(events: HarmonyEvent[]): HarmonyEvent[] {
  const out: HarmonyEvent[] = [];
  for (const e of events) {
    const prev = out.at(-1);
    if (e.kind === 'HarmonyEventContentEmitted' && prev?.kind === 'HarmonyEventContentEmitted') out[out.length - 1] = { ...prev, content: prev.content + e.content };
    else out.push(e);
  }
  return out;
}

function eventsFor(chunks: string[], implicitStart: boolean): HarmonyEvent[] {
  const p = new HarmonyParser();
  if (implicitStart) p.addImplicitStart();
  return chunks.flatMap((c) => p.addContent(c));
}

describe('harmony parser (Ollama harmony/harmonyparser_test.go)', () => {
  it('TestHeaderParsing', () => {
    for (const tt of T.headerParsing) {
      expect(parseHarmonyHeader(tt.in), tt.in).toEqual({ role: tt.wantRole, channel: tt.wantChannel, recipient: tt.wantRecipient });
    }
  });

  it('TestHarmonyParserHeaderEvent (+ every split)', () => {
    for (const tt of T.headerEvent as { in: string; wantRole: string; wantChannel: string; wantRecipient: string; implicitStart?: boolean }[]) {
      for (const chunks of splits(tt.in)) {
        const first = eventsFor(chunks, tt.implicitStart ?? false).find((e) => e.kind === 'HarmonyEventHeaderComplete');
        expect(first, tt.in).toEqual({ kind: 'HarmonyEventHeaderComplete', header: { role: tt.wantRole, channel: tt.wantChannel, recipient: tt.wantRecipient } });
      }
    }
  });

  describe('TestHarmonyParserNonStreaming (+ every split)', () => {
    for (const tt of T.nonStreaming as { in: string; implicitStart?: boolean; wantEvents: HarmonyEvent[] }[]) {
      it(tt.in, () => {
        expect(eventsFor([tt.in], tt.implicitStart ?? false)).toEqual(tt.wantEvents);
        for (const chunks of splits(tt.in)) expect(merged(eventsFor(chunks, tt.implicitStart ?? false)), JSON.stringify(chunks)).toEqual(merged(tt.wantEvents));
      });
    }
  });

  describe('TestHarmonyParserStreaming', () => {
    for (const tc of T.streaming as { desc: string; implicitStart?: boolean; steps: { input: string; wantEvents: HarmonyEvent[] | null }[] }[]) {
      it(tc.desc, () => {
        const p = new HarmonyParser();
        if (tc.implicitStart) p.addImplicitStart();
        tc.steps.forEach((step, i) => expect(p.addContent(step.input), `step ${i}`).toEqual(step.wantEvents ?? []));
        const want = merged(tc.steps.flatMap((s) => s.wantEvents ?? []));
        for (const chunks of splits(tc.steps.map((s) => s.input).join(''))) expect(merged(eventsFor(chunks, tc.implicitStart ?? false)), JSON.stringify(chunks)).toEqual(want);
      });
    }
  });

  it('TestFunctionConvertToValidChars', () => {
    for (const tt of T.convertToValidChars) expect(FunctionNameMap.convertToValidChars(tt.in), tt.name).toBe(tt.want);
  });

  it('TestFunctionConvertAndAdd', () => {
    for (const tt of T.convertAndAdd) {
      const m = new FunctionNameMap();
      tt.in.forEach((name, j) => {
        expect(m.convertAndAdd(name), tt.name).toBe(tt.want[j]);
        expect(m.userToHarmony.get(name)).toBe(tt.want[j]);
        expect(m.harmonyToUser.get(tt.want[j]!)).toBe(name);
      });
    }
  });
});

const tools = [tool('get_weather', { location: { type: 'string' } }), tool('calculate', { expression: { type: 'string' } })];

/** Ollama's server/routes_harmony_streaming_test.go TestChatHarmonyParserStreamingRealtime, at the parser. */
export const HARMONY_CASES: ParserCase[] = [
  {
    name: 'content streams as it arrives',
    parser: 'harmony',
    tools,
    steps: [{ input: '<|message|>Hello', content: 'Hello' }, { input: ', world', content: ', world' }, { input: '!<|end|>', done: true, content: '!' }],
  },
  {
    name: 'thinking streams separately from content',
    parser: 'harmony',
    tools,
    steps: [
      { input: '<|channel|>analysis<|message|>Thinking...', thinking: 'Thinking...' },
      { input: '<|end|>' },
      { input: '<|start|>assistant<|message|>Answer', content: 'Answer' },
      { input: '<|end|>', done: true },
    ],
  },
  {
    name: 'partial tags buffer until complete',
    parser: 'harmony',
    tools,
    steps: [
      { input: '<|chan' },
      { input: 'nel|>analysis<|mess' },
      { input: 'age|>Deep ', thinking: 'Deep ' },
      { input: 'thought<|end|>', thinking: 'thought' },
      { input: '<|start|>assistant<|message|>Done<|end|>', done: true, content: 'Done' },
    ],
  },
  { name: 'simple assistant after analysis', parser: 'harmony', tools, steps: [{ input: '<|channel|>analysis<|message|>Think<|end|><|start|>assistant<|message|>Answer<|end|>', done: true, content: 'Answer', thinking: 'Think' }] },
  {
    name: 'tool call parsed and returned correctly',
    parser: 'harmony',
    tools,
    steps: [
      {
        input: '<|channel|>commentary to=functions.get_weather<|message|>{"location":"San Francisco"}<|end|><|start|>assistant<|message|>The weather is sunny<|end|>',
        done: true,
        content: 'The weather is sunny',
        calls: [{ function: { index: 0, name: 'get_weather', arguments: { location: 'San Francisco' } } }],
      },
    ],
  },
  {
    name: 'tool call with streaming JSON across chunks',
    parser: 'harmony',
    tools,
    steps: [
      { input: '<|channel|>commentary to=functions.calculate<|message|>{"expr' },
      { input: 'ession":"2+' },
      { input: '2"}', done: true, calls: [{ function: { index: 0, name: 'calculate', arguments: { expression: '2+2' } } }] },
    ],
  },
  // TestChatHarmonyParserStreamingSimple
  { name: 'simple streaming', parser: 'harmony', steps: [{ input: '<|message|>First ', content: 'First ' }, { input: 'chunk ', content: 'chunk ' }, { input: 'here<|end|>', done: true, content: 'here' }] },
  // Beyond Ollama's tables: what the handler does with the typical gpt-oss output and with renamed tools.
  {
    name: 'gpt-oss: analysis then final',
    parser: 'harmony',
    think: 'high',
    steps: [{ input: '<|channel|>analysis<|message|>User says hi. Respond.<|end|><|start|>assistant<|channel|>final<|message|>Hello! How can I help?', done: true }],
    want: { thinking: 'User says hi. Respond.', content: 'Hello! How can I help?' },
  },
  {
    name: 'a tool name that is not an identifier is mapped back',
    parser: 'harmony',
    tools: [tool('get-weather now', {})],
    steps: [{ input: '<|channel|>analysis<|message|>Need weather.<|end|><|start|>assistant<|channel|>commentary to=functions.get_weather_now <|constrain|>json<|message|>{"city":"Paris"}', done: true }],
    want: { thinking: 'Need weather.', calls: [{ function: { index: 0, name: 'get-weather now', arguments: { city: 'Paris' } } }] },
  },
  { name: 'assistant prefill with content continues in final', parser: 'harmony', last: { role: 'assistant', content: 'The answer' }, steps: [{ input: ' is 4.', done: true, content: ' is 4.' }] },
  { name: 'assistant prefill with thinking continues in analysis', parser: 'harmony', last: { role: 'assistant', content: '', thinking: 'Hmm' }, steps: [{ input: ', so 4.<|end|><|start|>assistant<|channel|>final<|message|>4', done: true }], want: { thinking: ', so 4.', content: '4' } },
  { name: 'malformed tool-call JSON is an error', parser: 'harmony', steps: [{ input: '<|channel|>commentary to=functions.f<|message|>{"a":', done: true }], error: 'error parsing tool call' },
];

describe('harmony message handler (Ollama routes_harmony_streaming_test.go cases)', () => {
  for (const c of HARMONY_CASES) it(c.name, () => checkCase(c));

  it('init gives the model identifier-safe tool names', async () => {
    const { parserFor } = await import('../../../src/prompt/parsers/index.js');
    const p = parserFor('harmony')!;
    expect(p.init([tool('get weather', {}), tool('python', {})], null, undefined)!.map((t) => t.function.name)).toEqual(['get_weather', 'python']);
  });
});
