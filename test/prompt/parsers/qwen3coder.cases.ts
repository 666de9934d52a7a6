/** Ported from Ollama's model/parsers/qwen3coder_test.go (tables as data). */
import { args, len, testArgs, tool } from './helpers.js';

export const streaming = [
		{
			desc: "simple message streamed word by word",
			steps: [
				{
					input:      "hi",
					wantEvents: [{content: "hi"}],
				},
				{
					input:      " there",
					wantEvents: [{content: " there"}],
				},
			],
		},
		{
			desc: "content before tool call",
			steps: [
				{
					input:      "hi there<tool_call>",
					wantEvents: [{content: "hi there"}],
				},
			],
		},
		{
			desc: "multiple tool calls in one message",
			steps: [
				{
					input: "before1<tool_call>in tool call</tool_call>after1<tool_call>in tool call 2</tool_call>after2",
					wantEvents: [
						{content: "before1"},
						{raw: "in tool call"},
						{content: "after1"},
						{raw: "in tool call 2"},
						{content: "after2"},
					],
				},
			],
		},
		{
			desc: "tool calls with split tags",
			steps: [
				{
					input: "before<tool",
					wantEvents: [
						{content: "before"},
					],
				},
				{
					input:      "_call>in tool call</tool",
					wantEvents: [],
				},
				{
					input: "_call>af",
					wantEvents: [
						{raw: "in tool call"},
						{content: "af"},
					],
				},
				{
					input: "ter",
					wantEvents: [
						{content: "ter"},
					],
				},
			],
		},
		{
			desc: "tool call tags split character by character",
			steps: [
				{input: "<", wantEvents: []},
				{input: "t", wantEvents: []},
				{input: "o", wantEvents: []},
				{input: "o", wantEvents: []},
				{input: "l", wantEvents: []},
				{input: "_", wantEvents: []},
				{input: "c", wantEvents: []},
				{input: "a", wantEvents: []},
				{input: "l", wantEvents: []},
				{input: "l", wantEvents: []},
				{input: ">", wantEvents: []},
				{input: "a", wantEvents: []},
				{input: "b", wantEvents: []},
				{input: "c", wantEvents: []},
				{input: "<", wantEvents: []},
				{input: "/", wantEvents: []},
				{input: "t", wantEvents: []},
				{input: "o", wantEvents: []},
				{input: "o", wantEvents: []},
				{input: "l", wantEvents: []},
				{input: "_", wantEvents: []},
				{input: "c", wantEvents: []},
				{input: "a", wantEvents: []},
				{input: "l", wantEvents: []},
				{input: "l", wantEvents: []},
				{input: ">", wantEvents: [{raw: "abc"}]},
			],
		},
		{
			desc: "trailing whitespace between content and tool call",
			steps: [
				{
					input: "abc\n<tool_call>def</tool_call>",
					wantEvents: [
						{content: "abc"},
						{raw: "def"},
					],
				},
			],
		},
		{
			desc: "unambiguous empty: partial tool open at buffer start",
			steps: [
				{
					input:      "<tool_ca",
					wantEvents: [],
				},
				{
					input: "ll>abc</tool_call>",
					wantEvents: [
						{raw: "abc"},
					],
				},
			],
		},
		{
			desc: "trailing whitespace between tool call and content",
			steps: [
				{
					input: "<tool_call>abc</tool_call>\ndef",
					wantEvents: [
						{raw: "abc"},
						{content: "def"},
					],
				},
			],
		},
		{
			desc: "empty content before tool call",
			steps: [
				{
					input: "\n<tool_call>abc</tool_call>",
					wantEvents: [
						{raw: "abc"},
					],
				},
			],
		},
		{
			desc: "partial tool open tag fakeout",
			steps: [
				{
					input: "abc\n<tool_call",
					wantEvents: [
						// \n should not be emitted yet because `<tool_call` might be a tool
						// open tag, in which case the whitespace should be trimmed
						{content: "abc"},
					],
				},
				{
					input: " fakeout",
					wantEvents: [
						{content: "\n<tool_call fakeout"},
					],
				},
			],
		},
		{
			desc: "token-by-token whitespace handling",
			steps: [
				{
					input: "a",
					wantEvents: [
						{content: "a"},
					],
				},
				{
					input:      "\n",
					wantEvents: [],
				},
				{
					input: "b",
					wantEvents: [
						{content: "\nb"},
					],
				},
			],
		},
		{
			desc: "unicode content",
			steps: [
				{
					input: "你好 🌍<tool_call>test</tool_call>مرحبا",
					wantEvents: [
						{content: "你好 🌍"},
						{raw: "test"},
						{content: "مرحبا"},
					],
				},
			],
		},
		{
			desc: "arabic text handling",
			steps: [
				{
					input:      "مرحبا بالعالم",
					wantEvents: [{content: "مرحبا بالعالم"}],
				},
			],
		},
		{
			desc: "emoji passthrough",
			steps: [
				{
					input:      "✅",
					wantEvents: [{content: "✅"}],
				},
			],
		},
		{
			desc: "emoji after tool call",
			steps: [
				{
					input: "<tool_call>test</tool_call>完成 ✅",
					wantEvents: [
						{raw: "test"},
						{content: "完成 ✅"},
					],
				},
			],
		},
		{
			desc: "unicode streaming with whitespace handling",
			steps: [
				{
					input: "مرحبا",
					wantEvents: [
						{content: "مرحبا"},
					],
				},
				{
					input:      " \n",
					wantEvents: [],
				},
				{
					input: "世界",
					wantEvents: [
						{content: " \n世界"},
					],
				},
			],
		},
		{
			desc: "non-breaking space withheld across chunks",
			steps: [
				{
					input: "Hello\u00a0",
					wantEvents: [
						{content: "Hello"},
					],
				},
				{
					input: "world",
					wantEvents: [
						{content: "\u00a0world"},
					],
				},
			],
		},
		{
			desc: "ideographic space before partial tool",
			steps: [
				{
					input: "Hello\u3000<tool",
					wantEvents: [
						{content: "Hello"},
					],
				},
				{
					input:      "_call>abc",
					wantEvents: [],
				},
				{
					input: "</tool_call>def",
					wantEvents: [
						{raw: "abc"},
						{content: "def"},
					],
				},
			],
		},
		{
			desc: "ideographic space before partial tool fakeout",
			steps: [
				{
					input: "Hello\u3000<tool",
					wantEvents: [
						{content: "Hello"},
					],
				},
				{
					input: "fakeout>abc",
					wantEvents: [
						{content: "\u3000<toolfakeout>abc"},
					],
				},
			],
		},
		{
			desc: "unicode with partial tool tag",
			steps: [
				{
					input: "测试🎯 <to",
					wantEvents: [
						{content: "测试🎯"},
					],
				},
			],
		},
	];

export const toolParser = [
		{
			name:  "simple tool call",
			tools: [],
			rawToolCall: "<function=get_current_temperature>\n<parameter=location>\nSan Francisco\n</parameter>\n<parameter=unit>\ncelsius\n</parameter>\n</function>",
			wantToolCall: {
				function: {
					name: "get_current_temperature",
					arguments: testArgs({
						"location": "San Francisco",
						"unit":     "celsius",
					}),
				},
			},
		},
		{
			name:  "names with spaces",
			tools: [],
			rawToolCall: "<function=get current temperature>\n<parameter=location with spaces>\nSan Francisco\n</parameter>\n<parameter=unit with spaces>\ncelsius\n</parameter>\n</function>",
			wantToolCall: {
				function: {
					name: "get current temperature",
					arguments: testArgs({
						"location with spaces": "San Francisco",
						"unit with spaces":     "celsius",
					}),
				},
			},
		},
		// this mirrors the reference implementation's behavior, but unclear if it
		// ever happens. If so, then we should probably remove them instead, this
		// test is to just document the current behavior and test that we don't get
		// xml errors
		{
			name:  "names with quotes",
			tools: [],
			rawToolCall: "<function=\"get current temperature\">\n<parameter=\"location with spaces\">\nSan Francisco\n</parameter>\n<parameter=\"unit with spaces\">\n\"celsius\"\n</parameter>\n</function>",
			wantToolCall: {
				function: {
					name: "\"get current temperature\"",
					arguments: testArgs({
						"\"location with spaces\"": "San Francisco",
						"\"unit with spaces\"":     "\"celsius\"",
					}),
				},
			},
		},
		{
			name: "tool call with typed parameters",
			tools: [
				tool("calculate", {
					"x":       {type: ["number"]},
					"y":       {type: ["integer"]},
					"enabled": {type: ["boolean"]},
					"items":   {type: ["array"]},
				}),
			],
			rawToolCall: "<function=calculate>\n<parameter=x>\n3.14\n</parameter>\n<parameter=y>\n42\n</parameter>\n<parameter=enabled>\ntrue\n</parameter>\n<parameter=items>\n[\"a\", \"b\", \"c\"]\n</parameter>\n</function>",
			wantToolCall: {
				function: {
					name: "calculate",
					arguments: testArgs({
						"x":       3.14,
						"y":       42,
						"enabled": true,
						"items":   ["a", "b", "c"],
					}),
				},
			},
		},
		// regression test for <https://github.com/ollama/ollama/issues/12357>
		{
			name:  "ampersands in parameter values",
			tools: [],
			rawToolCall: "<function=exec>\n<parameter=command>\nls && echo \"done\"\n</parameter>\n</function>",
			wantToolCall: {
				function: {
					name: "exec",
					arguments: testArgs({
						"command": "ls && echo \"done\"",
					}),
				},
			},
		},
		{
			name:  "angle brackets in parameter values",
			tools: [],
			rawToolCall: "<function=exec>\n<parameter=command>\nls && echo \"a > b and a < b\"\n</parameter>\n</function>",
			wantToolCall: {
				function: {
					name: "exec",
					arguments: testArgs({
						"command": "ls && echo \"a > b and a < b\"",
					}),
				},
			},
		},
		{
			name:  "unicode in function names and parameters",
			tools: [],
			rawToolCall: "<function=获取天气>\n<parameter=城市>\n北京\n</parameter>\n<parameter=message>\nHello! 你好! 🌟 مرحبا\n</parameter>\n</function>",
			wantToolCall: {
				function: {
					name: "获取天气",
					arguments: testArgs({
						"城市":      "北京",
						"message": "Hello! 你好! 🌟 مرحبا",
					}),
				},
			},
		},
	];

export const valueParsing = [
		{
			desc:      "default string value (no type specified)",
			paramType: [],
			raw:       "some-string",
			want:      "some-string",
		},
		{
			desc:      "trim a single leading and trailing newline",
			paramType: [],
			raw:       "\nsome-string\n",
			want:      "some-string",
		},
		{
			desc:      "trim at most one leading and trailing newline",
			paramType: [],
			raw:       "\n\nsome-string\n\n",
			want:      "\nsome-string\n",
		},
		{
			desc:      "newline really has to be the first character to be trimmed",
			paramType: [],
			raw:       " \nsome-string\n ",
			want:      " \nsome-string\n ",
		},
		{
			desc:      "numeric type",
			paramType: ["number"],
			raw:       "123",
			want:      123,
		},
		// Integer parsing tests
		{
			desc:      "integer type",
			paramType: ["integer"],
			raw:       "42",
			want:      42,
		},
		{
			desc:      "negative integer",
			paramType: ["integer"],
			raw:       "-100",
			want:      -100,
		},
		{
			desc:      "zero integer",
			paramType: ["integer"],
			raw:       "0",
			want:      0,
		},
		{
			desc:      "integer with leading zeros",
			paramType: ["integer"],
			raw:       "007",
			want:      7,
		},
		{
			desc:      "large integer",
			paramType: ["integer"],
			raw:       "2147483648", // Just beyond int32 max
			want:      2147483648,
		},
		// Float/number parsing tests
		{
			desc:      "float type",
			paramType: ["number"],
			raw:       "3.14",
			want:      3.14,
		},
		{
			desc:      "negative float",
			paramType: ["number"],
			raw:       "-273.15",
			want:      -273.15,
		},
		{
			desc:      "float without decimal part",
			paramType: ["number"],
			raw:       "100.0",
			want:      100,
		},
		{
			desc:      "scientific notation positive",
			paramType: ["number"],
			raw:       "1.23e5",
			want:      123000, // Will be int since it has no decimal part
		},
		{
			desc:      "scientific notation negative",
			paramType: ["number"],
			raw:       "1.5e-3",
			want:      0.0015,
		},
		{
			desc:      "very small float",
			paramType: ["number"],
			raw:       "0.00000001",
			want:      0.00000001,
		},
		// String parsing tests
		{
			desc:      "explicit string type",
			paramType: ["string"],
			raw:       "hello world",
			want:      "hello world",
		},
		{
			desc:      "string with special characters",
			paramType: ["string"],
			raw:       "/usr/local/bin/test-file_v2.0.sh",
			want:      "/usr/local/bin/test-file_v2.0.sh",
		},
		{
			desc:      "string with quotes",
			paramType: ["string"],
			raw:       "He said \"hello\" to me",
			want:      "He said \"hello\" to me",
		},
		{
			desc:      "multiline string",
			paramType: ["string"],
			raw:       "line one\nline two\nline three",
			want:      "line one\nline two\nline three",
		},
		{
			desc:      "empty string",
			paramType: ["string"],
			raw:       "",
			want:      "",
		},
		{
			desc:      "string that looks like a number",
			paramType: ["string"],
			raw:       "12345",
			want:      "12345",
		},
		// Boolean parsing tests
		{
			desc:      "boolean true",
			paramType: ["boolean"],
			raw:       "true",
			want:      true,
		},
		{
			desc:      "boolean false",
			paramType: ["boolean"],
			raw:       "false",
			want:      false,
		},
		{
			desc:      "boolean case insensitive true",
			paramType: ["boolean"],
			raw:       "True",
			want:      true,
		},
		{
			desc:      "boolean case insensitive false",
			paramType: ["boolean"],
			raw:       "FALSE",
			want:      false,
		},
		// Null parsing tests
		{
			desc:      "null value lowercase",
			paramType: ["string"],
			raw:       "null",
			want:      null,
		},
		{
			desc:      "null value case insensitive",
			paramType: ["integer"],
			raw:       "NULL",
			want:      null,
		},
		// Array parsing tests
		{
			desc:      "array of strings",
			paramType: ["array"],
			raw:       "[\"foo\", \"bar\", \"baz\"]",
			want:      ["foo", "bar", "baz"],
		},
		{
			desc:      "array of numbers",
			paramType: ["array"],
			raw:       "[1, 2.5, 3]",
			want:      [1, 2.5, 3],
		},
		{
			desc:      "array of mixed types",
			paramType: ["array"],
			raw:       "[\"string\", 123, true, null]",
			want:      ["string", 123, true, null],
		},
		{
			desc:      "empty array",
			paramType: ["array"],
			raw:       "[]",
			want:      [],
		},
		// Object parsing tests
		{
			desc:      "simple object",
			paramType: ["object"],
			raw:       "{\"key\": \"value\", \"number\": 42}",
			want:      {"key": "value", "number": 42},
		},
		{
			desc:      "nested object",
			paramType: ["object"],
			raw:       "{\"outer\": {\"inner\": \"value\"}}",
			want:      {"outer": {"inner": "value"}},
		},
		{
			desc:      "empty object",
			paramType: ["object"],
			raw:       "{}",
			want:      {},
		},
		// Error cases and fallback behavior
		{
			desc:      "invalid integer falls back to string",
			paramType: ["integer"],
			raw:       "not-a-number",
			want:      "not-a-number",
		},
		{
			desc:      "invalid float falls back to string",
			paramType: ["number"],
			raw:       "3.14.159",
			want:      "3.14.159",
		},
		{
			desc:      "invalid boolean falls back to false",
			paramType: ["boolean"],
			raw:       "yes",
			want:      false,
		},
		{
			desc:      "invalid JSON array falls back to string",
			paramType: ["array"],
			raw:       "[1, 2, unclosed",
			want:      "[1, 2, unclosed",
		},
		{
			desc:      "invalid JSON object falls back to string",
			paramType: ["object"],
			raw:       "{\"key\": unclosed",
			want:      "{\"key\": unclosed",
		},
		// Edge cases
		{
			desc:      "integer overflow should use int64",
			paramType: ["integer"],
			raw:       "2147483648", // Beyond int32 max
			want:      2147483648,
		},
		{
			desc:      "float with many decimal places",
			paramType: ["number"],
			raw:       "3.141592653589793",
			want:      3.141592653589793,
		},
		{
			desc:      "string with JSON-like content",
			paramType: ["string"],
			raw:       "{\"this\": \"is\", \"just\": \"a string\"}",
			want:      "{\"this\": \"is\", \"just\": \"a string\"}",
		},
		{
			desc:      "whitespace-only string",
			paramType: ["string"],
			raw:       "   ",
			want:      "   ",
		},
		// Unknown parameter (no type specified in tools)
		{
			desc:      "parameter not in tool definition defaults to string",
			paramType: [],
			raw:       "some value",
			want:      "some value",
		},
		// Union type tests
		{
			desc:      "string or number union - valid number",
			paramType: ["string", "number"],
			raw:       "42.5",
			want:      42.5,
		},
		{
			desc:      "string or number union - non-numeric string",
			paramType: ["string", "number"],
			raw:       "hello",
			want:      "hello",
		},
		{
			desc:      "number or string union - valid number (order shouldn't matter)",
			paramType: ["number", "string"],
			raw:       "42.5",
			want:      42.5,
		},
		{
			desc:      "integer or null union - valid integer",
			paramType: ["integer", "null"],
			raw:       "123",
			want:      123,
		},
		{
			desc:      "integer or null union - null value",
			paramType: ["integer", "null"],
			raw:       "null",
			want:      null,
		},
		{
			desc:      "null or integer union - null value (order shouldn't matter)",
			paramType: ["null", "integer"],
			raw:       "null",
			want:      null,
		},
		{
			desc:      "boolean or string union - valid boolean",
			paramType: ["boolean", "string"],
			raw:       "true",
			want:      true,
		},
		{
			desc:      "boolean or string union - non-boolean becomes string",
			paramType: ["boolean", "string"],
			raw:       "yes",
			want:      "yes",
		},
		{
			desc:      "string or boolean union - valid boolean (precedence test)",
			paramType: ["string", "boolean"],
			raw:       "false",
			want:      false, // Should be boolean, not string "false"
		},
		{
			desc:      "integer or number union - integer value",
			paramType: ["integer", "number"],
			raw:       "42",
			want:      42,
		},
		{
			desc:      "integer or number union - float value",
			paramType: ["integer", "number"],
			raw:       "42.5",
			want:      42.5,
		},
		{
			desc:      "number or integer union - integer value (precedence test)",
			paramType: ["number", "integer"],
			raw:       "42",
			want:      42, // Should try integer first due to precedence
		},
		{
			desc:      "array or object union - valid array",
			paramType: ["array", "object"],
			raw:       "[1, 2, 3]",
			want:      [1, 2, 3],
		},
		{
			desc:      "array or object union - valid object",
			paramType: ["array", "object"],
			raw:       "{\"key\": \"value\"}",
			want:      {"key": "value"},
		},
		{
			desc:      "object or array union - valid array (precedence test)",
			paramType: ["object", "array"],
			raw:       "[1, 2, 3]",
			want:      [1, 2, 3],
		},
		{
			desc:      "complex multi-type union - null",
			paramType: ["string", "number", "boolean", "null"],
			raw:       "null",
			want:      null,
		},
		{
			desc:      "complex multi-type union - boolean",
			paramType: ["string", "number", "boolean", "null"],
			raw:       "true",
			want:      true,
		},
		{
			desc:      "complex multi-type union - number",
			paramType: ["string", "number", "boolean", "null"],
			raw:       "3.14",
			want:      3.14,
		},
		{
			desc:      "complex multi-type union - string",
			paramType: ["string", "number", "boolean", "null"],
			raw:       "hello",
			want:      "hello",
		},
		{
			desc:      "integer string union - integer string becomes integer",
			paramType: ["integer", "string"],
			raw:       "123",
			want:      123,
		},
		{
			desc:      "string integer union - integer string becomes integer (precedence)",
			paramType: ["string", "integer"],
			raw:       "123",
			want:      123, // Integer has higher precedence than string
		},
		{
			desc:      "anyOf array or string - with array of objects",
			paramType: ["array", "string"],
			raw:       "[{\"content\": \"task 1\", \"status\": \"pending\", \"priority\": \"high\", \"id\": \"1\"}, {\"content\": \"task 2\", \"status\": \"completed\", \"priority\": \"low\", \"id\": \"2\"}]",
			want: [
				{"content": "task 1", "status": "pending", "priority": "high", "id": "1"},
				{"content": "task 2", "status": "completed", "priority": "low", "id": "2"},
			],
		},
		{
			desc:      "anyOf array or string - with plain string",
			paramType: ["array", "string"],
			raw:       "Error: could not load data",
			want:      "Error: could not load data",
		},
	];

export const trailingWhitespaceLenUnicode = [
		{
			name:  "ascii space",
			input: "Hello ",
			want:  1,
		},
		{
			name:  "non-breaking space",
			input: "Hello\u00a0",
			want:  2,
		},
		{
			name:  "ideographic space",
			input: "Hello\u3000",
			want:  3,
		},
		{
			name:  "multiple runes of whitespace",
			input: "Hi\u00a0\u3000",
			want:  5,
		},
	];

export const trailingWhitespaceLen = [
		{desc: "no whitespace", s: "abc", want: 0},
		{desc: "trailing whitespace", s: "abc ", want: 1},
		{desc: "trailing whitespace with newlines", s: "abc \n", want: 2},
		{desc: "only whitespace", s: " \n  ", want: 4},
		{desc: "leading whitespace doesn't count", s: " \n abc", want: 0},
		{desc: "unicode with trailing space", s: "测试🎯 ", want: 1},
		{desc: "unicode with trailing tab and newline", s: "مرحبا\t\n", want: 2},
	];

export const overlapCases = [
		{desc: "no overlap", s: "hello", delim: "<tool", want: 0},
		{desc: "full overlap", s: "hello<tool", delim: "<tool>", want: 5},
		{desc: "partial overlap", s: "hello<to", delim: "<tool>", want: 3},
		{desc: "unicode with partial overlap", s: "测试🎯<to", delim: "<tool>", want: 3},
		{desc: "unicode string with no overlap", s: "مرحبا", delim: "<tool>", want: 0},
		{desc: "unicode at boundary", s: "世界<", delim: "<tool>", want: 1},
		{desc: "unicode delimiter single rune", s: "hello🔧", delim: "🔧工具", want: len("🔧")},
		{desc: "unicode delimiter multiple runes", s: "hello🔧工", delim: "🔧工具", want: len("🔧工")},
	];
