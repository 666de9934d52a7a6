import { describe, expect, it } from 'vitest';
import { type Command, ModelfileError, parseModelfile } from '../../src/modelfile/index.js';

const cmds = (input: string | Uint8Array): readonly Command[] => parseModelfile(input).commands;
const from = (value: string): Command => ({ kind: 'from', value });
const param = (name: string, value: string): Command => ({ kind: 'parameter', name, value });
const msg = (role: 'system' | 'user' | 'assistant', content: string): Command => ({ kind: 'message', role, content });

function parseError(input: string | Uint8Array): ModelfileError {
  try {
    parseModelfile(input);
  } catch (e) {
    expect(e).toBeInstanceOf(ModelfileError);
    expect((e as ModelfileError).status).toBe(400);
    return e as ModelfileError;
  }
  throw new Error('expected a ModelfileError');
}

const INVALID_COMMAND =
  'command must be one of "from", "license", "template", "system", "adapter", "draft", "renderer", "parser", "parameter", "message", or "requires"';
const INVALID_ROLE = 'message role must be one of "system", "user", or "assistant"';

describe('parseModelfile: instructions', () => {
  it('parses every instruction', () => {
    const input = `
FROM model1
ADAPTER adapter1
LICENSE MIT
PARAMETER param1 value1
PARAMETER param2 value2
TEMPLATE """{{ if .System }}<|start_header_id|>system<|end_header_id|>

{{ .System }}<|eot_id|>{{ end }}{{ if .Prompt }}<|start_header_id|>user<|end_header_id|>

{{ .Prompt }}<|eot_id|>{{ end }}<|start_header_id|>assistant<|end_header_id|>

{{ .Response }}<|eot_id|>"""    
SYSTEM You are a bot.
MESSAGE user Hi
DRAFT ./assistant
RENDERER qwen3-coder
PARSER harmony
REQUIRES 0.14.0
`;
    expect(cmds(input)).toEqual([
      from('model1'),
      { kind: 'adapter', value: 'adapter1' },
      { kind: 'license', value: 'MIT' },
      param('param1', 'value1'),
      param('param2', 'value2'),
      {
        kind: 'template',
        value:
          '{{ if .System }}<|start_header_id|>system<|end_header_id|>\n\n{{ .System }}<|eot_id|>{{ end }}{{ if .Prompt }}<|start_header_id|>user<|end_header_id|>\n\n{{ .Prompt }}<|eot_id|>{{ end }}<|start_header_id|>assistant<|end_header_id|>\n\n{{ .Response }}<|eot_id|>',
      },
      { kind: 'system', value: 'You are a bot.' },
      msg('user', 'Hi'),
      { kind: 'draft', value: './assistant' },
      { kind: 'renderer', value: 'qwen3-coder' },
      { kind: 'parser', value: 'harmony' },
      { kind: 'requires', value: '0.14.0' },
    ]);
  });

  const caseInsensitive: Array<[string, Command]> = [
    ['from foo', from('foo')],
    ['From foo', from('foo')],
    ['fRoM foo', from('foo')],
    ['FROM foo', from('foo')],
    ['FROM foo\nsystem hi', { kind: 'system', value: 'hi' }],
    ['FROM foo\nParameter temperature 1', param('temperature', '1')],
    ['FROM foo\nmessage user hi', msg('user', 'hi')],
    ['FROM foo\nlicense MIT', { kind: 'license', value: 'MIT' }],
    ['FROM foo\nTemplate x', { kind: 'template', value: 'x' }],
    ['FROM foo\nadapter a', { kind: 'adapter', value: 'a' }],
    ['FROM foo\nDraft d', { kind: 'draft', value: 'd' }],
    ['FROM foo\nrenderer r', { kind: 'renderer', value: 'r' }],
    ['FROM foo\nparser p', { kind: 'parser', value: 'p' }],
    ['FROM foo\nrequires 1.0.0', { kind: 'requires', value: '1.0.0' }],
  ];
  it.each(caseInsensitive)('instruction names are case-insensitive: %j', (input, last) => {
    const c = cmds(input);
    expect(c[c.length - 1]).toEqual(last);
  });

  it('keeps the case of PARAMETER names', () => {
    expect(cmds('FROM foo\nPARAMETER Temperature 1')).toEqual([from('foo'), param('Temperature', '1')]);
  });

  it('accepts a tab after the instruction', () => {
    expect(cmds('FROM\tfoo\nPARAMETER\ttop_k\t5')).toEqual([from('foo'), param('top_k', '5')]);
  });

  it('keeps repeated instructions in order', () => {
    expect(cmds('FROM a\nFROM b\nLICENSE x\nLICENSE y\nSYSTEM 1\nSYSTEM 2')).toEqual([
      from('a'),
      from('b'),
      { kind: 'license', value: 'x' },
      { kind: 'license', value: 'y' },
      { kind: 'system', value: '1' },
      { kind: 'system', value: '2' },
    ]);
  });
});

describe('parseModelfile: FROM and values', () => {
  const cases: Array<[string, Command[]]> = [
    ['FROM "FOO  BAR  "', [from('FOO  BAR  ')]],
    ['FROM "FOO BAR"\nPARAMETER param1 value1', [from('FOO BAR'), param('param1', 'value1')]],
    ['FROM     FOOO BAR    ', [from('FOOO BAR')]],
    ['FROM /what/is/the path ', [from('/what/is/the path')]],
    ['FROM foo', [from('foo')]],
    ['FROM /path/to/model', [from('/path/to/model')]],
    ['FROM /path/to/model/fp16.bin', [from('/path/to/model/fp16.bin')]],
    ['FROM llama3:latest', [from('llama3:latest')]],
    ['FROM llama3:7b-instruct-q4_K_M', [from('llama3:7b-instruct-q4_K_M')]],
    ['PARAMETER param1 value1\nFROM foo', [param('param1', 'value1'), from('foo')]],
    ['PARAMETER what the \nFROM lemons make lemonade ', [param('what', 'the'), from('lemons make lemonade')]],
    ['FROM foo # not a comment', [from('foo # not a comment')]],
    ['FROM foo\r\nSYSTEM bar\r\n', [from('foo'), { kind: 'system', value: 'bar' }]],
    ['FROM foo\rSYSTEM bar', [from('foo'), { kind: 'system', value: 'bar' }]],
    ['FROM foo\nSYSTEM \n', [from('foo'), { kind: 'system', value: '' }]],
    ['FROM foo\nSYSTEM ', [from('foo'), { kind: 'system', value: '' }]],
    ['FROM foo\nSYSTEM a\tb', [from('foo'), { kind: 'system', value: 'a\tb' }]],
    ['FROM foo\nSYSTEM a\u0000b\u0007c', [from('foo'), { kind: 'system', value: 'abc' }]],
    ['FROM foo\nSYSTEM a\u00a0b', [from('foo'), { kind: 'system', value: 'ab' }]],
    ['\u0001FROM foo', [from('foo')]],
    ['FROM test\n\tSYSTEM 你好👋', [from('test'), { kind: 'system', value: '你好👋' }]],
    ['FROM foo\nSYSTEM "a" ', [from('foo'), { kind: 'system', value: 'a' }]],
  ];
  it.each(cases)('%j', (input, want) => {
    expect(cmds(input)).toEqual(want);
  });

  it('trims values but keeps quoted spaces', () => {
    const input = `
FROM "     model 1"
ADAPTER      adapter3
LICENSE "MIT       "
PARAMETER param1        value1
PARAMETER param2    value2
TEMPLATE """   {{ .Prompt }}   """    
`;
    expect(cmds(input)).toEqual([
      from('     model 1'),
      { kind: 'adapter', value: 'adapter3' },
      { kind: 'license', value: 'MIT       ' },
      param('param1', 'value1'),
      param('param2', 'value2'),
      { kind: 'template', value: '   {{ .Prompt }}   ' },
    ]);
  });
});

describe('parseModelfile: quoting', () => {
  const cases: Array<[string, string]> = [
    ['SYSTEM """\nThis is a\nmultiline system.\n"""\n\t\t\t', '\nThis is a\nmultiline system.\n'],
    ['SYSTEM """\nThis is a\nmultiline system."""\n\t\t\t', '\nThis is a\nmultiline system.'],
    ['SYSTEM """This is a\nmultiline system."""\n\t\t\t', 'This is a\nmultiline system.'],
    ['SYSTEM """This is a multiline system."""\n\t\t\t', 'This is a multiline system.'],
    ['SYSTEM """\nThis is a multiline system with "quotes".\n"""\n', '\nThis is a multiline system with "quotes".\n'],
    ['SYSTEM """"""\n', ''],
    ['SYSTEM ""\n', ''],
    ['SYSTEM "\'"\n', "'"],
    [`SYSTEM """''"'""'""'"'''''""'""'"""\n`, `''"'""'""'"'''''""'""'`],
    ['TEMPLATE """\n{{ .Prompt }}\n"""', '\n{{ .Prompt }}\n'],
    ['SYSTEM "multi\nline"', 'multi\nline'],
    ['SYSTEM "a\r\nb"', 'a\r\nb'],
    ['SYSTEM """a\r\nb"""', 'a\r\nb'],
    ['SYSTEM \'single\'', "'single'"],
    ['SYSTEM "say \\"hi\\""', 'say \\"hi\\"'],
    ['SYSTEM "no \\n escapes"', 'no \\n escapes'],
    ['SYSTEM """ends with quote""""', 'ends with quote"'],
    ['SYSTEM """a"""b\nc"""', 'a"""b\nc'],
    ['SYSTEM "a" b "c"', 'a" b "c'],
    ['SYSTEM """\n\n"""', '\n\n'],
    ['SYSTEM """"""""', '""'],
  ];
  it.each(cases)('%j', (body, want) => {
    expect(cmds(`\nFROM foo\n${body}`)).toEqual([from('foo'), { kind: 'system', value: want }].map((c) =>
      c.kind === 'system' && body.startsWith('TEMPLATE') ? { kind: 'template', value: want } : c,
    ));
  });

  const eof: string[] = [
    'SYSTEM """This is a multiline system.""\n\t\t\t',
    'SYSTEM "\n\t\t\t',
    'SYSTEM "a" b',
    'SYSTEM """"',
    'SYSTEM """""',
    'SYSTEM "',
    'SYSTEM """',
    'TEMPLATE """\n{{ .Prompt }}\n',
  ];
  it.each(eof)('unterminated quote %j → unexpected EOF', (body) => {
    expect(parseError(`\nFROM foo\n${body}`).message).toBe('unexpected EOF');
  });
});

describe('parseModelfile: PARAMETER forms', () => {
  const cases: Record<string, [string, string]> = {
    'numa true': ['numa', 'true'],
    'num_ctx 1': ['num_ctx', '1'],
    'num_batch 1': ['num_batch', '1'],
    'num_gqa 1': ['num_gqa', '1'],
    'num_gpu 1': ['num_gpu', '1'],
    'main_gpu 1': ['main_gpu', '1'],
    'use_mmap true': ['use_mmap', 'true'],
    'num_thread 1': ['num_thread', '1'],
    'num_keep 1': ['num_keep', '1'],
    'seed 1': ['seed', '1'],
    'num_predict 1': ['num_predict', '1'],
    'top_k 1': ['top_k', '1'],
    'top_p 1.0': ['top_p', '1.0'],
    'min_p 0.05': ['min_p', '0.05'],
    'typical_p 1.0': ['typical_p', '1.0'],
    'repeat_last_n 1': ['repeat_last_n', '1'],
    'temperature 1.0': ['temperature', '1.0'],
    'repeat_penalty 1.0': ['repeat_penalty', '1.0'],
    'presence_penalty 1.0': ['presence_penalty', '1.0'],
    'frequency_penalty 1.0': ['frequency_penalty', '1.0'],
    'penalize_newline true': ['penalize_newline', 'true'],
    'stop ### User:': ['stop', '### User:'],
    'stop ### User: ': ['stop', '### User:'],
    'stop "### User:"': ['stop', '### User:'],
    'stop "### User: "': ['stop', '### User: '],
    'stop """### User:"""': ['stop', '### User:'],
    'stop """### User:\n"""': ['stop', '### User:\n'],
    'stop <|endoftext|>': ['stop', '<|endoftext|>'],
    'stop <|eot_id|>': ['stop', '<|eot_id|>'],
    'stop </s>': ['stop', '</s>'],
    'draft_num_predict 4': ['draft_num_predict', '4'],
    'a_1_B 2': ['a_1_B', '2'],
  };
  it.each(Object.entries(cases))('PARAMETER %j', (rest, [name, value]) => {
    expect(cmds(`FROM foo\nPARAMETER ${rest}\n`)).toEqual([from('foo'), param(name, value)]);
  });

  it('a second space makes an empty parameter name (as Ollama)', () => {
    expect(cmds('FROM foo\nPARAMETER  top_k 5')).toEqual([from('foo'), param('', 'top_k 5')]);
  });
});

describe('parseModelfile: MESSAGE', () => {
  const cases: Array<[string, Command[]]> = [
    ['\nFROM foo\nMESSAGE system You are a file parser. Always parse things.\n', [from('foo'), msg('system', 'You are a file parser. Always parse things.')]],
    ['\nFROM foo\nMESSAGE system You are a file parser. Always parse things.', [from('foo'), msg('system', 'You are a file parser. Always parse things.')]],
    [
      '\nFROM foo\nMESSAGE system You are a file parser. Always parse things.\nMESSAGE user Hey there!\nMESSAGE assistant Hello, I want to parse all the things!\n',
      [
        from('foo'),
        msg('system', 'You are a file parser. Always parse things.'),
        msg('user', 'Hey there!'),
        msg('assistant', 'Hello, I want to parse all the things!'),
      ],
    ],
    ['\nFROM foo\nMESSAGE system """\nYou are a multiline file parser. Always parse things.\n"""\n\t\t\t', [from('foo'), msg('system', '\nYou are a multiline file parser. Always parse things.\n')]],
    ['FROM foo\nMESSAGE user a: b: c', [from('foo'), msg('user', 'a: b: c')]],
    ['FROM foo\nMESSAGE user ""', [from('foo'), msg('user', '')]],
  ];
  it.each(cases)('%j', (input, want) => {
    expect(cmds(input)).toEqual(want);
  });

  const roleErrors: Array<[string, number]> = [
    ['\nFROM foo\nMESSAGE badguy I\'m a bad guy!\n', 3],
    ['FROM foo\nMESSAGE User hi', 2],
    ['FROM foo\nMESSAGE tool hi', 2],
    ['FROM foo\nMESSAGE  user hi', 2],
  ];
  it.each(roleErrors)('bad role %j', (input, line) => {
    const e = parseError(input);
    expect(e.message).toBe(`(line ${line}): ${INVALID_ROLE}`);
    expect(e.line).toBe(line);
  });

  const eofs: Array<[string, string]> = [
    ['\nFROM foo\nMESSAGE system\n', 'unexpected EOF: system'],
    ['\nFROM foo\nMESSAGE system', 'unexpected EOF'],
    ['FROM foo\nMESSAGE user1 hi', 'unexpected EOF: user'],
    ['FROM foo\nMESSAGE', 'unexpected EOF'],
  ];
  it.each(eofs)('%j → %s', (input, message) => {
    expect(parseError(input).message).toBe(message);
  });
});

describe('parseModelfile: comments and blank lines', () => {
  const cases: Array<[string, Command[]]> = [
    ['\n# comment\nFROM foo\n\t', [from('foo')]],
    ['# only\n   # indented comment\n\n\nFROM foo', [from('foo')]],
    ['FROM foo\n# PARAMETER temperature 1\n', [from('foo')]],
    ['   \t\n  FROM foo', [from('foo')]],
    ['FROM foo\n#', [from('foo')]],
  ];
  it.each(cases)('%j', (input, want) => {
    expect(cmds(input)).toEqual(want);
  });
});

describe('parseModelfile: errors', () => {
  const commandErrors: Array<[string, number]> = [
    ['\nFROM foo\nBADCOMMAND param1 value1\n', 3],
    ['FROM foo\nFROMX bar', 2],
    ['FRO foo', 1],
    ['FROM\nfoo', 2],
    ['FROM foo\nSYSTEM\n', 3],
    ['FROM foo\r\nBAD x', 3],
    ['FROM foo\nPARAMETER1 x', 2],
    ['FROM foo\n{{ .Prompt }}', 2],
    ['FROM foo\n"SYSTEM" x', 2],
    ['FROM foo\n  - x', 2],
    ['FROM: foo', 1],
  ];
  it.each(commandErrors)('unknown instruction %j', (input, line) => {
    const e = parseError(input);
    expect(e.message).toBe(`(line ${line}): ${INVALID_COMMAND}`);
    expect(e.line).toBe(line);
  });

  const eofs: Array<[string, string]> = [
    ['\nFROM foo\nPARAMETER param1\n', 'unexpected EOF: param1'],
    ['FROM foo\nPARAMETER param1', 'unexpected EOF'],
    ['FROM foo\nPARAMETER \n', 'unexpected EOF: '],
    ['FROM foo\nPARAMETER top-k 5', 'unexpected EOF: top'],
    ['FROM foo\nPARAMETER', 'unexpected EOF'],
    ['FROM', 'unexpected EOF'],
    ['FROM foo\nSYS', 'unexpected EOF'],
  ];
  it.each(eofs)('%j → %s', (input, message) => {
    const e = parseError(input);
    expect(e.message).toBe(message);
    expect(e.line).toBeUndefined();
  });

  const noFrom = ['', '   \n\n', '# just a comment\n', 'PARAMETER param1 value1', 'SYSTEM hi\nLICENSE MIT\n'];
  it.each(noFrom)('%j → no FROM line', (input) => {
    expect(parseError(input).message).toBe('no FROM line');
  });

  it('caps the partial buffer quoted in an EOF error', () => {
    const e = parseError('FROM foo\nPARAMETER ' + 'a'.repeat(5000) + '\n');
    expect(e.message).toBe('unexpected EOF: ' + 'a'.repeat(1000) + '...');
  });
});

describe('parseModelfile: encodings', () => {
  const data = 'FROM bob\nPARAMETER param1 1\nPARAMETER param2 4096\nSYSTEM You are a utf16 file.\n';
  const expected = [from('bob'), param('param1', '1'), param('param2', '4096'), { kind: 'system', value: 'You are a utf16 file.' }];

  const utf16le = (s: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(s, 'utf16le')]);
  const utf16be = (s: string) => {
    const le = Buffer.from(s, 'utf16le');
    return Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(le).swap16()]);
  };

  it('reads UTF-8 bytes', () => {
    expect(cmds(Buffer.from(data, 'utf8'))).toEqual(expected);
  });
  it('reads UTF-8 with a BOM', () => {
    expect(cmds(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(data)]))).toEqual(expected);
  });
  it('strips a BOM from a string', () => {
    expect(cmds('\ufeff' + data)).toEqual(expected);
  });
  it('reads UTF-16 LE with a BOM', () => {
    expect(cmds(utf16le(data))).toEqual(expected);
  });
  it('reads UTF-16 BE with a BOM', () => {
    expect(cmds(utf16be(data))).toEqual(expected);
  });
  it('reads multibyte text in every encoding', () => {
    const input = 'FROM test\n\tSYSTEM 你好👋';
    const want = [from('test'), { kind: 'system', value: '你好👋' }];
    expect(cmds(Buffer.from(input))).toEqual(want);
    expect(cmds(utf16le(input))).toEqual(want);
    expect(cmds(utf16be(input))).toEqual(want);
  });
  it('replaces invalid UTF-8 instead of failing', () => {
    expect(cmds(Buffer.from([...Buffer.from('FROM a'), 0xff, 0xfe, 0x41]))).toEqual([from('a\ufffd\ufffdA')]);
  });
  it('accepts a Uint8Array', () => {
    expect(cmds(new Uint8Array(Buffer.from('FROM x')))).toEqual([from('x')]);
  });
});

describe('parseModelfile: large input', () => {
  it('parses a 10 MB single-line value with many spaces', () => {
    const value = 'ab '.repeat(3_500_000).trim();
    const c = cmds('FROM foo\nSYSTEM ' + value + '\n');
    expect(c).toHaveLength(2);
    expect((c[1] as { value: string }).value.length).toBe(value.length);
  }, 30_000);

  it('parses a 10 MB triple-quoted value spanning many lines', () => {
    const value = ('line of text\n' + '   \n').repeat(600_000);
    const c = cmds('FROM foo\nTEMPLATE """' + value + '"""\n');
    expect(c[1]).toEqual({ kind: 'template', value });
  }, 30_000);

  it('reports an unterminated 10 MB quote without blowing up', () => {
    expect(parseError('FROM foo\nSYSTEM "' + 'x \n'.repeat(3_500_000)).message).toBe('unexpected EOF');
  }, 30_000);
});

describe('Modelfile accessors', () => {
  const mf = parseModelfile(`FROM base
FROM ./projector.gguf
ADAPTER ./lora.gguf
DRAFT ./draft.gguf
TEMPLATE first
TEMPLATE second
SYSTEM one
SYSTEM two
LICENSE MIT
LICENSE Apache
PARAMETER stop a
PARAMETER stop b
PARAMETER temperature 0.5
MESSAGE user hi
MESSAGE assistant hello
REQUIRES 0.1.0
RENDERER r
PARSER p
`);
  it('exposes the instructions', () => {
    expect(mf.from).toBe('base');
    expect(mf.froms).toEqual(['base', './projector.gguf']);
    expect(mf.adapters).toEqual(['./lora.gguf']);
    expect(mf.drafts).toEqual(['./draft.gguf']);
    expect(mf.template).toBe('second');
    expect(mf.system).toBe('two');
    expect(mf.licenses).toEqual(['MIT', 'Apache']);
    expect(mf.parameters).toEqual([
      { name: 'stop', value: 'a' },
      { name: 'stop', value: 'b' },
      { name: 'temperature', value: '0.5' },
    ]);
    expect(mf.messages).toEqual([
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: 'hello' },
    ]);
    expect(mf.requires).toBe('0.1.0');
    expect(mf.renderer).toBe('r');
    expect(mf.parser).toBe('p');
  });
  it('leaves absent single-valued instructions undefined', () => {
    const m = parseModelfile('FROM x');
    expect(m.template).toBeUndefined();
    expect(m.system).toBeUndefined();
    expect(m.licenses).toEqual([]);
    expect(m.messages).toEqual([]);
  });
});
