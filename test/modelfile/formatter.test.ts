import { describe, expect, it } from 'vitest';
import {
  type Command,
  formatCommand,
  formatModelfile,
  formatParameterValue,
  formatParametersString,
  goFormatFloat,
  goQuote,
  parseModelfile,
  quoteValue,
  showCommands,
} from '../../src/modelfile/index.js';

describe('quoteValue', () => {
  const cases: Array<[string, string]> = [
    ['plain', 'plain'],
    ['', ''],
    ['<|eot_id|>', '<|eot_id|>'],
    ['with inner  spaces', 'with inner  spaces'],
    ['say "hi"', 'say "hi"'],
    ["it's", "it's"],
    ['ends with quote"', 'ends with quote"'],
    [' leading', '" leading"'],
    ['trailing ', '"trailing "'],
    ['two\nlines', '"two\nlines"'],
    ['\nwrapped\n', '"\nwrapped\n"'],
    ['"quoted"\nline', '"""\"quoted\"\nline"""'],
    [' "x" ', '""" "x" """'],
    ['a\n"b"', '"""a\n"b""""'],
    // beyond Ollama: values its output would misread
    ['\tleading tab', '"\tleading tab"'],
    ['trailing tab\t', '"trailing tab\t"'],
    ['a\rb', '"a\rb"'],
    ['"starts with a quote', '""""starts with a quote"""'],
    ['"', '"""""""'],
  ];
  it.each(cases)('%j → %j', (input, want) => {
    expect(quoteValue(input)).toBe(want);
  });
});

describe('formatCommand (Ollama Command.String)', () => {
  const cases: Array<[Command, string]> = [
    [{ kind: 'from', value: 'llama3.2' }, 'FROM llama3.2'],
    [{ kind: 'adapter', value: '/blobs/sha256-1' }, 'ADAPTER /blobs/sha256-1'],
    [{ kind: 'draft', value: './assistant' }, 'DRAFT ./assistant'],
    [{ kind: 'template', value: '{{ .Prompt }}' }, 'TEMPLATE {{ .Prompt }}'],
    [{ kind: 'system', value: '' }, 'SYSTEM '],
    [{ kind: 'system', value: 'You are\na bot.' }, 'SYSTEM "You are\na bot."'],
    [{ kind: 'license', value: 'MIT' }, 'LICENSE MIT'],
    [{ kind: 'requires', value: '0.14.0' }, 'REQUIRES 0.14.0'],
    [{ kind: 'renderer', value: 'harmony' }, 'RENDERER harmony'],
    [{ kind: 'parser', value: 'harmony' }, 'PARSER harmony'],
    [{ kind: 'parameter', name: 'stop', value: '<|eot_id|>' }, 'PARAMETER stop <|eot_id|>'],
    [{ kind: 'parameter', name: 'stop', value: '### User: ' }, 'PARAMETER stop "### User: "'],
    [{ kind: 'message', role: 'user', content: 'Hey there!' }, 'MESSAGE user Hey there!'],
    [
      { kind: 'message', role: 'system', content: '\nYou are a store greeter. Always respond with "Hello!".\n' },
      'MESSAGE system """\nYou are a store greeter. Always respond with "Hello!".\n"""',
    ],
  ];
  it.each(cases)('%j', (cmd, want) => {
    expect(formatCommand(cmd)).toBe(want);
  });
});

describe('Modelfile.toString round trip (Ollama TestParseFileFormatParseFile)', () => {
  const cases = [
    `
FROM foo
ADAPTER adapter1
LICENSE MIT
PARAMETER param1 value1
PARAMETER param2 value2
TEMPLATE template1
MESSAGE system You are a file parser. Always parse things.
MESSAGE user Hey there!
MESSAGE assistant Hello, I want to parse all the things!
`,
    `
FROM foo
ADAPTER adapter1
LICENSE MIT
PARAMETER param1 value1
PARAMETER param2 value2
TEMPLATE template1
MESSAGE system """
You are a store greeter. Always respond with "Hello!".
"""
MESSAGE user Hey there!
MESSAGE assistant Hello, I want to parse all the things!
`,
    `
FROM foo
ADAPTER adapter1
LICENSE """
Very long and boring legal text.
Blah blah blah.
"Oh look, a quote!"
"""

PARAMETER param1 value1
PARAMETER param2 value2
TEMPLATE template1
MESSAGE system """
You are a store greeter. Always respond with "Hello!".
"""
MESSAGE user Hey there!
MESSAGE assistant Hello, I want to parse all the things!
`,
    `
FROM foo
SYSTEM ""
`,
    'FROM "  spaced  "\nDRAFT ./d\nREQUIRES 1.2.3\nRENDERER r\nPARSER p\n',
  ];
  it.each(cases)('%#', (input) => {
    const mf = parseModelfile(input);
    const again = parseModelfile(mf.toString());
    expect(again.commands).toEqual(mf.commands);
  });

  it('prints one instruction per line with a final newline', () => {
    expect(parseModelfile('FROM foo\nSYSTEM hi').toString()).toBe('FROM foo\nSYSTEM hi\n');
  });

  it('reads back every value it can write (deterministic fuzz)', () => {
    const alphabet = ['a', 'b', ' ', '\t', '\n', '\r', '"', '#', 'é', '\\', '{', '👋', "'"];
    let seed = 12345;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    let checked = 0;
    for (let i = 0; i < 4000; i++) {
      let s = '';
      const len = rand(12);
      for (let j = 0; j < len; j++) s += alphabet[rand(alphabet.length)];
      // No escapes exist: a multi-line value with a line ending in `"""` cannot be written.
      let writable = true;
      for (let k = 0; k < s.length; k++) {
        if (s[k] !== '\n' && s[k] !== '\r') continue;
        if (s.slice(0, k).replace(/[ \t\r\n]+$/, '').endsWith('"""')) writable = false;
      }
      if (!writable) continue;
      const mf = parseModelfile(`FROM x\nSYSTEM ${quoteValue(s)}\nMESSAGE user ${quoteValue(s)}\n`);
      expect(mf.system, JSON.stringify(s)).toBe(s);
      expect(mf.messages[0]!.content).toBe(s);
      checked++;
    }
    expect(checked).toBeGreaterThan(3500);
  });
});

describe('goFormatFloat (Go %v of float64)', () => {
  const cases: Array<[number, string]> = [
    [0, '0'],
    [1, '1'],
    [-1, '-1'],
    [0.7, '0.7'],
    [0.95, '0.95'],
    [1.05, '1.05'],
    [3900, '3900'],
    [131072, '131072'],
    [999999, '999999'],
    [1000000, '1e+06'],
    [1048576, '1.048576e+06'],
    [1e21, '1e+21'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [1.5e-7, '1.5e-07'],
    [123.456, '123.456'],
    [-0.5, '-0.5'],
    [1e100, '1e+100'],
    [NaN, 'NaN'],
    [Infinity, '+Inf'],
  ];
  it.each(cases)('%s → %s', (x, want) => {
    expect(goFormatFloat(x)).toBe(want);
  });
});

describe('goQuote (Go strconv.Quote)', () => {
  const cases: Array<[string, string]> = [
    ['<|eot_id|>', '"<|eot_id|>"'],
    ['', '""'],
    ['a"b', '"a\\"b"'],
    ['back\\slash', '"back\\\\slash"'],
    ['line\nbreak\ttab\r', '"line\\nbreak\\ttab\\r"'],
    ['\x00\x07\x1b\x7f', '"\\x00\\a\\x1b\\x7f"'],
    ['你好👋', '"你好👋"'],
    ['\u00a0\u200b', '"\\u00a0\\u200b"'],
    ['\u{e0001}', '"\\U000e0001"'],
  ];
  it.each(cases)('%j → %s', (s, want) => {
    expect(goQuote(s)).toBe(want);
  });
});

describe('formatParameterValue / formatParametersString', () => {
  it('prints values as Go %v, ints of int options as integers', () => {
    expect(formatParameterValue('num_ctx', 4096)).toBe('4096');
    expect(formatParameterValue('num_ctx', 1048576)).toBe('1048576');
    expect(formatParameterValue('temperature', 0.7)).toBe('0.7');
    expect(formatParameterValue('temperature', 1)).toBe('1');
    expect(formatParameterValue('temperature', 2000000)).toBe('2e+06');
    expect(formatParameterValue('use_mmap', false)).toBe('false');
    expect(formatParameterValue('stop', '</s>')).toBe('</s>');
  });

  it('formats the /api/show parameters string', () => {
    expect(
      formatParametersString({ stop: ['<|start_header_id|>', '<|eot_id|>'], num_keep: 24, temperature: 0.7, use_mmap: true }),
    ).toBe(
      [
        'num_keep                       24',
        'stop                           "<|start_header_id|>"',
        'stop                           "<|eot_id|>"',
        'temperature                    0.7',
        'use_mmap                       true',
      ].join('\n'),
    );
    expect(formatParametersString({})).toBe('');
    expect(formatParametersString(undefined)).toBe('');
  });
});

describe('formatModelfile (ollama show --modelfile)', () => {
  it('prints a model without a template layer with TEMPLATE {{ .Prompt }}', () => {
    expect(formatModelfile({ name: 'tiny:latest', modelPath: '/m/blobs/sha256-aa' })).toBe(
      '# Modelfile generated by "ollama show"\n' +
        '# To build a new Modelfile based on this, replace FROM with:\n' +
        '# FROM tiny:latest\n' +
        '\n' +
        'FROM /m/blobs/sha256-aa\n' +
        'TEMPLATE {{ .Prompt }}\n',
    );
  });

  it('prints every section in Ollama order', () => {
    const text = formatModelfile({
      name: 'gemma4:e4b',
      modelPath: '/b/sha256-model',
      adapterPaths: ['/b/sha256-adapter'],
      draftPaths: ['/b/sha256-draft'],
      projectorPaths: ['/b/sha256-proj'],
      template: '{{ .Prompt }}',
      system: 'Be brief.',
      renderer: 'gemma4',
      parser: 'gemma4',
      parameters: { top_p: 0.95, temperature: 1, top_k: 64, draft_num_predict: 3, stop: ['<turn|>'] },
      licenses: ['Apache License\nVersion 2.0', 'MIT'],
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: 'hello' },
      ],
    });
    expect(text).toBe(
      [
        '# Modelfile generated by "ollama show"',
        '# To build a new Modelfile based on this, replace FROM with:',
        '# FROM gemma4:e4b',
        '',
        'FROM /b/sha256-model',
        'ADAPTER /b/sha256-adapter',
        'DRAFT /b/sha256-draft',
        'FROM /b/sha256-proj',
        'TEMPLATE {{ .Prompt }}',
        'SYSTEM Be brief.',
        'RENDERER gemma4',
        'PARSER gemma4',
        'PARAMETER draft_num_predict 3',
        'PARAMETER stop <turn|>',
        'PARAMETER temperature 1',
        'PARAMETER top_k 64',
        'PARAMETER top_p 0.95',
        'LICENSE "Apache License\nVersion 2.0"',
        'LICENSE MIT',
        'MESSAGE user hi',
        'MESSAGE assistant hello',
        '',
      ].join('\n'),
    );
  });

  it('skips empty system/renderer/parser and null parameters', () => {
    const cmds = showCommands({
      name: 'x',
      modelPath: '/p',
      system: '',
      renderer: '',
      parameters: { main_gpu: null, use_mmap: undefined, num_ctx: 2048 },
    });
    expect(cmds).toEqual([
      { kind: 'from', value: '/p' },
      { kind: 'template', value: '{{ .Prompt }}' },
      { kind: 'parameter', name: 'num_ctx', value: '2048' },
    ]);
  });

  it('parses back to the same instructions', () => {
    const input = {
      name: 'x:latest',
      modelPath: '/p/sha256-1',
      template: '{{ if .System }}"{{ .System }}"\n{{ end }}{{ .Prompt }}',
      system: ' padded ',
      parameters: { stop: ['\n\n', ' User:', 'x'], num_ctx: 8192, seed: -1 },
      licenses: ['"quoted"'],
      messages: [{ role: 'system', content: 'line1\nline2' }],
    };
    expect(parseModelfile(formatModelfile(input)).commands).toEqual(showCommands(input));
  });
});
