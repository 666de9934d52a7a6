/**
 * Ported from Ollama's model/parsers/laguna_test.go: each Test function's input, Init arguments
 * and checked results, as data (Go asserts a few fields of each call; the calls here are whole).
 */
import { tool } from './helpers.js';

const weather = [tool('get_weather', { location: { type: ['string'] }, days: { type: ['integer'] } })];
const read = [tool('read', { path: { type: ['string'] } })];
const skill = [tool('skill', { name: { type: ['string'] } })];
const bash = [tool('bash', { command: { type: ['string'] } })];
const call = (name: string, args: Record<string, unknown>) => ({ function: { index: 0, name, arguments: args } });
const GO_MOD = '/Users/test/code/myproject/go.mod';

export const cases = [
  {
    name: 'TestLagunaParserToolCall',
    tools: weather,
    chunks: ['<tool_call>get_weather\n<arg_key>location</arg_key>\n<arg_value>Paris</arg_value>\n<arg_key>days</arg_key>\n<arg_value>3</arg_value>\n</tool_call>'],
    want: { calls: [call('get_weather', { location: 'Paris', days: 3 })] },
  },
  {
    name: 'TestLagunaParserJSONToolCall',
    tools: weather,
    chunks: ['<tool_call>\n{"name":"get_weather","arguments":{"location":"Paris","days":3}}\n</tool_call>'],
    want: { calls: [call('get_weather', { location: 'Paris', days: 3 })] },
  },
  {
    name: 'TestLagunaParserStandaloneJSONToolCall',
    tools: weather,
    chunks: ['{"name":"get_weather","arguments":{"location":"Paris","days":3}}'],
    want: { calls: [call('get_weather', { location: 'Paris', days: 3 })] },
  },
  {
    name: 'TestLagunaParserStandaloneJSONToolCallAfterLeadingContent',
    tools: weather,
    chunks: ['Let me call the weather tool.\n{"name":"get_weather","arguments":{"location":"Paris"}}'],
    want: { content: 'Let me call the weather tool.', calls: [call('get_weather', { location: 'Paris' })] },
  },
  {
    name: 'TestLagunaParserStreamingStandaloneJSONToolCall',
    tools: weather,
    chunks: ['{"name":"get_weather","arguments":{"location":"San Francisco,', ' CA"}}'],
    want: { calls: [call('get_weather', { location: 'San Francisco, CA' })] },
  },
  {
    name: 'TestLagunaParserNameLineJSONToolCall',
    tools: weather,
    chunks: ['<tool_call>get_weather\n{"location":"San Francisco"}</tool_call>'],
    want: { calls: [call('get_weather', { location: 'San Francisco' })] },
  },
  {
    name: 'TestLagunaParserNormalizesCommonToolAliases',
    tools: read,
    chunks: ['<tool_call>\n{"name":"read_file","arguments":{"path":"./go.mod"}}\n</tool_call>'],
    want: { calls: [call('read', { path: './go.mod' })] },
  },
  {
    name: 'TestLagunaParserIgnoresDuplicatedNestedToolCall',
    tools: skill,
    chunks: ['<tool_call>skill\n{"name":"git-diff-review"}\n<tool_call>skill\n{"name":"git-diff-review"}</tool_call>'],
    want: { calls: [call('skill', { name: 'git-diff-review' })] },
  },
  {
    name: 'TestLagunaParserThinkingThenTool',
    tools: weather,
    think: true,
    chunks: ['<think>Need current weather.</think>\n<tool_call>get_weather\n<arg_key>location</arg_key>\n<arg_value>SF</arg_value>\n</tool_call>'],
    want: { thinking: 'Need current weather.', calls: [call('get_weather', { location: 'SF' })] },
  },
  {
    name: 'TestLagunaParserUserTaggedToolAlias',
    tools: weather,
    chunks: ['<user>get_weather\n<arg_key>location</arg_key>\n<arg_value>San Francisco, CA</arg_value>\n</user>'],
    want: { calls: [call('get_weather', { location: 'San Francisco, CA' })] },
  },
  {
    name: 'TestLagunaParserUserTaggedToolAliasWithLeadingContent',
    tools: read,
    chunks: [`I'll read the file for you.\n<user>read\n<arg_key>path</arg_key>\n<arg_value>${GO_MOD}</arg_value>\n</user>`],
    want: { content: "I'll read the file for you.", calls: [call('read', { path: GO_MOD })] },
  },
  {
    name: 'TestLagunaParserUserTaggedJSONToolCallWithLeadingContent',
    tools: bash,
    chunks: ['I\'ll run git diff for you.<user>\n{"name":"bash","arguments":{"command":"git diff main"}}\n</user>'],
    want: { content: "I'll run git diff for you.", calls: [call('bash', { command: 'git diff main' })] },
  },
  {
    name: 'TestLagunaParserStreamingUserTaggedToolAliasAfterContent',
    tools: read,
    steps: [
      { input: "I'll read the file for you.<us", content: "I'll read the file for you." },
      { input: `er>read\n<arg_key>path</arg_key>\n<arg_value>${GO_MOD}</arg_value>\n</user>`, done: true, calls: [call('read', { path: GO_MOD })] },
    ],
  },
  { name: 'TestLagunaParserUserTaggedNonToolContent', tools: weather, chunks: ['<user>hello</user>'], want: { content: '<user>hello</user>' } },
  { name: 'TestLagunaParserThinkingDefaultsOff', chunks: ['<think>Need to reason.</think>\nDirect answer.'], want: { content: 'Direct answer.' } },
  {
    name: 'TestLagunaParserThinkingDefaultsOffWhenToolsPresent',
    tools: weather,
    chunks: ['<think>Need to reason.</think>\n<tool_call>get_weather\n<arg_key>location</arg_key>\n<arg_value>Paris</arg_value>\n</tool_call>'],
    want: { calls: [call('get_weather', { location: 'Paris' })] },
  },
  { name: 'TestLagunaParserThinkingExplicitlyDisabled', think: false, chunks: ['<think>Hidden?</think>\nDirect answer.'], want: { content: 'Direct answer.' } },
  { name: 'TestLagunaParserThinkingExplicitlyDisabledDropsLeadingCloseTag', think: false, chunks: ['</think>\nTokyo\n'], want: { content: 'Tokyo' } },
  { name: 'TestLagunaParserThinkingEnabledDropsLeadingCloseTag', think: true, chunks: ['</think>\nTokyo\n'], want: { content: 'Tokyo' } },
  { name: 'TestLagunaParserThinkingDefaultOffDropsLeadingCloseTag', chunks: ['</think>\nTokyo\n'], want: { content: 'Tokyo' } },
  { name: 'TestLagunaParserThinkingEnabledUntaggedAnswerIsThinking', think: true, chunks: ['Direct answer.'], want: { thinking: 'Direct answer.' } },
  { name: 'TestLagunaParserAssistantPrefillContinuesAsContent', think: true, last: { role: 'assistant', content: 'The answer is' }, chunks: [' 42.'], want: { content: '42.' } },
  {
    name: 'TestLagunaParserAssistantPrefillContinuesAsToolCall',
    tools: weather,
    think: true,
    last: { role: 'assistant', content: '', thinking: 'earlier reasoning' },
    chunks: ['<tool_call>get_weather\n<arg_key>location</arg_key>\n<arg_value>Paris</arg_value>\n</tool_call>'],
    want: { calls: [call('get_weather', { location: 'Paris' })] },
  },
  { name: 'TestLagunaParserNonAssistantLastMessageStillPrimesThinking', think: true, last: { role: 'user', content: 'hi' }, chunks: ['Direct answer.'], want: { thinking: 'Direct answer.' } },
  {
    name: 'TestLagunaV8ParserAssistantHistoryStillPrimesThinking',
    parser: 'poolside-v1',
    think: true,
    last: { role: 'assistant', content: 'Previous.' },
    chunks: ['Reasoning.</think>Answer.'],
    want: { content: 'Answer.', thinking: 'Reasoning.' },
  },
  { name: 'TestLagunaParserStripsLeadingContentWhitespace', think: false, chunks: ['\nHello! How can I help?'], want: { content: 'Hello! How can I help?' } },
  { name: 'TestLagunaParserStripsTrailingContentWhitespace', think: false, chunks: ['Hello there.\n\n'], want: { content: 'Hello there.' } },
  { name: 'TestLagunaParserPrimedThinkingThenContent', think: true, chunks: ['\nReasoning here.\n</think>\nThe answer.'], want: { content: 'The answer.', thinking: 'Reasoning here.' } },
  {
    name: 'TestLagunaParserSplitToolTag',
    tools: weather,
    think: true,
    steps: [
      { input: '<think>Need lookup<tool_c', thinking: 'Need lookup' },
      { input: 'all>get_weather\n<arg_key>location</arg_key>\n<arg_value>SF</arg_value>\n</tool_call>', done: true, calls: [call('get_weather', { location: 'SF' })] },
    ],
  },
  { name: 'TestLagunaParserPartialToolCallFakeoutInContent', tools: weather, chunks: ['Document literal <tool_call', ' fakeout'], want: { content: 'Document literal <tool_call fakeout' } },
  { name: 'TestLagunaParserPartialToolCallFakeoutInThinking', tools: weather, think: true, chunks: ['<think>Document literal <tool_c', ' fakeout'], want: { thinking: 'Document literal <tool_c fakeout' } },
  ...[
    { sub: 'default off' },
    { sub: 'explicit off', think: false },
    { sub: 'enabled assistant prefill content', think: true, last: { role: 'assistant', content: 'prefill' } },
  ].flatMap(({ sub, ...init }) => [
    { name: `TestLagunaParserPartialThinkOpenFakeoutInContent/${sub}`, ...init, chunks: ['Document literal <think', ' fakeout'], want: { content: 'Document literal <think fakeout' } },
    { name: `TestLagunaParserPartialThinkCloseFakeoutAtContentStart/${sub}`, ...init, chunks: ['</think', ' fakeout'], want: { content: '</think fakeout' } },
  ]),
];
