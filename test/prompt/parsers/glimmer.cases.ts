/**
 * Ported from Ollama's model/parsers/glimmer_test.go: each Test function's input, Init arguments
 * and checked results, as data (its every-split loops are what the harness does for every case).
 */
import { tool } from './helpers.js';

/** glimmerTestATEM */
export function atem(name: string, parameters: string): string {
  return `<atem:function_calls>\n<atem:invoke name="${name}">\n${parameters}</atem:invoke>\n</atem:function_calls>`;
}
const param = (name: string, value: string) => `<atem:parameter name="${name}">${value}</atem:parameter>\n`;
const call = (name: string, args: Record<string, unknown>, index = 0) => ({ function: { index, name, arguments: args } });

const weather = [tool('get_weather', { city: { type: ['string'] } })];
const echo = [tool('echo', { text: { type: ['string'] } })];
const readTool = [tool('read', { path: { type: ['string'] } })];
const museBash = [tool('muse.bash', { command: { type: ['string'] } })];
const CONTROL_VALUE = 'literal <|eot|> and <|start|>assistant to=user<|message|> text';
const museAtem = atem('muse.bash', param('command', 'pwd && ls -la'));
const musePwd = atem('muse.bash', param('command', 'pwd'));

export const cases = [
  { name: 'TestGlimmerParserFinalAnswer', input: ' to=user<|message|>Hello', want: { content: 'Hello' } },
  { name: 'TestGlimmerParserSelfRecipientIsThinking', input: ' to=self<|message|>Check the facts.', want: { thinking: 'Check the facts.' } },
  { name: 'TestGlimmerParserSuppressesThinking', think: false, input: ' to=self<|message|>Check the facts.<|eom|><|start|>assistant to=user<|message|>Answer<|eot|>', want: { content: 'Answer' } },
  {
    name: 'TestGlimmerParserStreamingATEMAtEveryBoundary',
    tools: weather,
    input: ' to=get_weather<|message|>' + atem('get_weather', param('city', 'SF')) + '<|eot|>',
    want: { calls: [call('get_weather', { city: 'SF' })] },
  },
  {
    name: 'TestGlimmerParserATEMValueTypesAndWhitespace',
    tools: [
      tool('tools.run', {
        text: { type: ['string'] },
        count: { type: ['integer'] },
        enabled: { type: ['boolean'] },
        items: { type: ['array'] },
        config: { type: ['object'] },
        choice: { anyOf: [{ type: ['null'] }, { type: ['string'] }] },
      }),
    ],
    input:
      ' to=tools.run<|message|>' +
      atem(
        'tools.run',
        param('text', ' keep  spaces ') + param('count', '3') + param('enabled', 'true') + param('items', '["one", "two"]') + param('config', '{"mode":"fast"}') + param('choice', 'null'),
      ),
    want: { calls: [call('tools.run', { text: ' keep  spaces ', count: 3, enabled: true, items: ['one', 'two'], config: { mode: 'fast' }, choice: null })] },
  },
  {
    name: 'TestGlimmerParserATEMValueMayContainControlTokenText',
    tools: echo,
    input: ' to=echo<|message|>' + atem('echo', param('text', CONTROL_VALUE)) + '<|eot|>',
    want: { calls: [call('echo', { text: CONTROL_VALUE })] },
  },
  {
    name: 'TestGlimmerParserMultipleMessagesAndIndices',
    tools: [tool('first', { x: { type: ['integer'] } }), tool('second', {})],
    input:
      ' to=self<|message|>Think<|eom|>' +
      '<|start|>assistant to=first<|message|>' +
      atem('first', param('x', '1')) +
      '<|eom|>' +
      '<|start|>assistant to=second<|message|>' +
      atem('second', '') +
      '<|eot|>',
    want: { thinking: 'Think', calls: [call('first', { x: 1 }, 0), call('second', {}, 1)] },
  },
  {
    name: 'TestGlimmerParserStrayMessageTagInInvokeName',
    tools: readTool,
    input: ' to=read<|message|>' + atem('read<|message|>', param('path', 'go.mod')) + '<|eot|>',
    want: { calls: [call('read', { path: 'go.mod' })] },
  },
  ...Object.entries({
    'terminator replaced': 'read<|message|><atem:parameter name="path">go.mod</atem:parameter>\n',
    'tag mid-name': 're<|message|>ad"><atem:parameter name="path">go.mod</atem:parameter>\n',
    'repeated tags': 'read<|message|><|message|>"><atem:parameter name="path">go.mod</atem:parameter>\n',
  }).map(([sub, invoke]) => ({
    name: `TestGlimmerParserMessageTagReplacesInvokeTerminator/${sub}`,
    tools: readTool,
    input: ' to=read<|message|><atem:function_calls>\n<atem:invoke name="' + invoke + '</atem:invoke>\n</atem:function_calls><|eot|>',
    want: { calls: [call('read', { path: 'go.mod' })] },
  })),
  {
    name: 'TestGlimmerParserMessageTagInParamValueUntouched',
    tools: echo,
    input: ' to=echo<|message|>' + atem('echo', param('text', 'keep <|message|> literal')) + '<|eot|>',
    want: { calls: [call('echo', { text: 'keep <|message|> literal' })] },
  },
  ...[
    ['read', 'read.read'],
    ['read.read', 'read.read'],
    ['read.read', 'read'],
  ].map(([recipient, invoke]) => ({
    name: `TestGlimmerParserNamespacedSelfReference/${recipient}→${invoke}`,
    tools: readTool,
    input: ` to=${recipient}<|message|>` + atem(invoke!, param('path', 'go.mod')) + '<|eot|>',
    want: { calls: [call('read', { path: 'go.mod' })] },
  })),
  { name: 'TestGlimmerParserRejectsMismatchedATEMInvoke', tools: [tool('get_weather', {})], input: ' to=get_weather<|message|>' + atem('read_file', ''), error: 'does not match' },
  { name: 'TestGlimmerParserRejectsMalformedATEM', tools: [tool('get_weather', {})], input: ' to=get_weather<|message|>{"city":"SF"}', error: 'function_calls wrapper' },
  ...Object.entries({
    'namespace recipient': { input: ' to=muse<|message|>' + museAtem + '<|eom|>' },
    'missing recipient': { input: '<|message|>' + museAtem + '<|eom|>' },
    'user recipient': { input: ' to=user<|message|>' + museAtem + '<|eot|>' },
    'wrapper as recipient': { input: ' to=atem:function_calls<|message|>' + museAtem + '<|eom|>' },
    'after thinking': { input: ' to=self<|message|>let me look<|eom|><|start|>assistant<|message|>' + museAtem + '<|eom|>', thinking: 'let me look' },
    'implicit boundary': { input: '<|message|>' + museAtem + '<|start|>assistant to=user<|message|>Done<|eot|>', content: 'Done' },
  }).map(([sub, tc]) => ({
    name: `TestGlimmerParserFumbledRecipientToolCallFallback/${sub}`,
    tools: museBash,
    input: tc.input,
    want: { content: tc.content ?? '', thinking: tc.thinking ?? '', calls: [call('muse.bash', { command: 'pwd && ls -la' })] },
  })),
  { name: 'TestGlimmerParserFumbledRecipientStreaming', tools: museBash, input: '<|message|>' + musePwd + '<|eom|>', want: { calls: [call('muse.bash', { command: 'pwd' })] } },
  ...Object.entries({
    'undeclared tool': { tools: museBash, input: ' to=user<|message|>' + atem('other.run', '') + '<|eot|>', content: atem('other.run', '') },
    'leading prose': { tools: museBash, input: ' to=user<|message|>Running:\n' + musePwd + '<|eot|>', content: 'Running:\n' + musePwd },
    'trailing prose': { tools: museBash, input: ' to=user<|message|>' + musePwd + '\nDone.<|eot|>', content: musePwd + '\nDone.' },
    'no tools declared': { tools: null, input: ' to=user<|message|>' + musePwd + '<|eot|>', content: musePwd },
  }).map(([sub, tc]) => ({ name: `TestGlimmerParserContentThatResemblesToolCallStaysContent/${sub}`, tools: tc.tools, input: tc.input, want: { content: tc.content } })),
  { name: 'TestGlimmerParserUndeclaredRecipientRemainsContent', input: ' to=not_a_tool<|message|>' + atem('not_a_tool', ''), want: { content: atem('not_a_tool', '') } },
  {
    name: 'TestGlimmerParserImplicitMessageBoundary',
    tools: weather,
    input: ' to=self<|message|>Think<|start|>assistant to=get_weather<|message|>' + atem('get_weather', param('city', 'SF')) + '<|start|>assistant to=user<|message|>Done<|eot|>',
    want: { content: 'Done', thinking: 'Think', calls: [call('get_weather', { city: 'SF' })] },
  },
  {
    name: 'TestGlimmerParserWithholdsSplitControlToken',
    steps: [
      { input: ' to=user<|message|>Hello<|eo', content: 'Hello' },
      { input: 't|>', done: true },
    ],
  },
  { name: 'TestGlimmerParserLiteralStartTokenInMessages/content', chunks: [' to=user<|message|>Use `<', '|', 'start', '|>` here.'], want: { content: 'Use `<|start|>` here.' } },
  { name: 'TestGlimmerParserLiteralStartTokenInMessages/thinking', chunks: [' to=self<|message|>Use `<', '|', 'start', '|>` here.'], want: { thinking: 'Use `<|start|>` here.' } },
  // FuzzGlimmerParser's seeds, with the echo tool
  ...[
    ' to=user<|message|>Hello<|eot|>',
    ' to=self<|message|>Think<|eom|><|start|>assistant to=user<|message|>Done<|eot|>',
    ' to=echo<|message|>' + atem('echo', '<atem:parameter name="text">value</atem:parameter>'),
    ' to=echo<|message|><atem:function_calls><atem:invoke name="other">',
    'literal <|start|> and <|message|> text',
  ].map((input, i) => ({ name: `FuzzGlimmerParser seed ${i}`, tools: echo, input, fuzz: true })),
];

export const resolution = [
  { name: 'read', want: 'read' },
  { name: 'read.read', want: 'read' },
  { name: 'repo.read', want: 'repo.read' },
  { name: 'functions.read', want: null },
  { name: 'write.write', want: null },
  { name: 'repo.repo.read', want: 'repo.read' },
];
