/** Ported from Ollama's model/parsers/qwen3vl_thinking_test.go and qwen3vl_nonthinking_test.go (tables as data). */
import { args, testArgs, tool } from './helpers.js';
const CollectingContent = 'content'; const CollectingThinkingContent = 'thinking';

export const thinkingStreaming = [
		{
			desc: "simple thinking",
			steps: [
				{input: "abc</think>", wantEvents: [{kind: "qwenEventThinkingContent", content: "abc"}]},
			],
		},
		{
			desc: "simple trip thinking",
			steps: [
				{input: "<think>abc</think>", wantEvents: [{kind: "qwenEventThinkingContent", content: "<think>abc"}]},
			],
		},
		{
			desc: "thinking with split tags",
			steps: [
				{input: "abc", wantEvents: [{kind: "qwenEventThinkingContent", content: "abc"}]},
				{input: "</think>", wantEvents: []},
			],
		},
		{
			desc: "multiple think tags",
			steps: [
				{input: "abc<think>actually, is not thinking</think>", wantEvents: [{kind: "qwenEventThinkingContent", content: "abc<think>actually, is not thinking"}]},
			],
		},
		{
			desc: "thinking and tool call",
			steps: [
				{
					input: "I'm thinking</think><tool_call>I'm tool calling</tool_call>",
					wantEvents: [
						{kind: "qwenEventThinkingContent", content: "I'm thinking"},
						{kind: "qwenEventRawToolCall", raw: "I'm tool calling"},
					],
				},
			],
		},
		{
			desc: "thinking and content",
			steps: [
				{
					input: "I'm thinking</think>I'm content",
					wantEvents: [
						{kind: "qwenEventThinkingContent", content: "I'm thinking"},
						{kind: "qwenEventContent", content: "I'm content"},
					],
				},
			],
		},
		{
			desc: "thinking and tool call and content",
		},
		{
			desc: "nested thinking (outside thinking, inside thinking)",
			steps: [
				{
					input: "I'm thinking<think>I'm nested thinking</think></think>",
					wantEvents: [
						{kind: "qwenEventThinkingContent", content: "I'm thinking<think>I'm nested thinking"},
						{kind: "qwenEventContent", content: "</think>"},
					],
				},
			],
		},
		{
			desc: "interleaved thinking",
			steps: [
				{
					input: "<think>I'm thinking</think>I'm actually content</think>",
					wantEvents: [
						{kind: "qwenEventThinkingContent", content: "<think>I'm thinking"},
						{kind: "qwenEventContent", content: "I'm actually content</think>"},
					],
				},
			],
		},
		{
			desc: "nested thinking and tool call (outside thinking, inside tool call)",
			steps: [
				{
					input: "I'm thinking<tool_call>I'm nested tool call</tool_call></think>",
					wantEvents: [
						{kind: "qwenEventThinkingContent", content: "I'm thinking"},
						{kind: "qwenEventRawToolCall", raw: "I'm nested tool call"},
						{kind: "qwenEventContent", content: "</think>"},
					],
				},
			],
		},
		{
			desc: "nested thinking and tool call (outside tool call, inside thinking)",
			steps: [
				{
					input: "<tool_call>I'm nested tool call<think>I'm thinking</think></tool_call>",
					wantEvents: [
						{kind: "qwenEventRawToolCall", raw: "I'm nested tool call<think>I'm thinking</think>"},
					],
				},
			],
		},
		{
			desc: "interleaved thinking and tool call",
			steps: [
				{
					input: "I'm thinking<tool_call>I'm NOT a nested tool call</think></tool_call><tool_call>I'm nested tool call 2<think></tool_call></think>",
					wantEvents: [
						{kind: "qwenEventThinkingContent", content: "I'm thinking"},
						{kind: "qwenEventRawToolCall", raw: "I'm NOT a nested tool call</think>"},
						{kind: "qwenEventRawToolCall", raw: "I'm nested tool call 2<think>"},
						{kind: "qwenEventContent", content: "</think>"},
					],
				},
			],
		},
		{
			desc: "partial thinking tag fakeout",
			steps: [
				{
					input:      "abc</think",
					wantEvents: [{kind: "qwenEventThinkingContent", content: "abc"}],
				},
				{
					input:      " fakeout",
					wantEvents: [{kind: "qwenEventThinkingContent", content: "</think fakeout"}],
				},
			],
		},
		{
			desc: "partial thinking incomplete",
			steps: [
				{
					input:      "abc<think>unfinished</think", // when something is ambiguious, we dont emit anything
					wantEvents: [{kind: "qwenEventThinkingContent", content: "abc<think>unfinished"}],
				},
			],
		},
		{
			desc: "test with split thinking and content",
			steps: [
				{
					input:      "abc<think>unfinished</th", // when something is ambiguious, we dont emit anything
					wantEvents: [{kind: "qwenEventThinkingContent", content: "abc<think>unfinished"}],
				},
				{
					input: "ink> def",
					wantEvents: [
						{kind: "qwenEventContent", content: "def"},
					],
				},
			],
		},
		{
			desc: "thinking with no tags",
			steps: [
				{
					input: "Hello I am thinking",
					wantEvents: [
						{kind: "qwenEventThinkingContent", content: "Hello I am thinking"},
					],
				},
				{
					input: "Hello I am thinking some more",
					wantEvents: [
						{kind: "qwenEventThinkingContent", content: "Hello I am thinking some more"},
					],
				},
				{
					input: "Hello I am think</think>     NOT",
					wantEvents: [
						{kind: "qwenEventThinkingContent", content: "Hello I am think"},
						{kind: "qwenEventContent", content: "NOT"},
					],
				},
			],
		},
	];

export const thinkingToolParser = [
		{
			name:        "simple tool call",
			tools:       [],
			rawToolCall: "{\"name\": \"get-current-weather\", \"arguments\": {\"location\": \"San Francisco, CA\", \"unit\": \"fahrenheit\"}}",
			wantToolCall: {
				function: {
					name: "get-current-weather",
					arguments: testArgs({
						"location": "San Francisco, CA",
						"unit":     "fahrenheit",
					}),
				},
			},
		},
		{
			name:        "names with spaces",
			tools:       [],
			rawToolCall: "{\"name\": \"get current temperature\", \"arguments\": {\"location with spaces\": \"San Francisco\", \"unit with spaces\": \"celsius\"}}",
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
		{
			name:        "names with quotes",
			tools:       [],
			rawToolCall: "{\"name\": \"\\\"get current temperature\\\"\", \"arguments\": {\"\\\"location with spaces\\\"\": \"San Francisco\", \"\\\"unit with spaces\\\"\": \"\\\"celsius\\\"\"}}",
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
			name:        "tool call with typed parameters (json types)",
			tools:       [],
			rawToolCall: "{\"name\": \"calculate\", \"arguments\": {\"x\": 3.14, \"y\": 42, \"enabled\": true, \"items\": [\"a\", \"b\", \"c\"]}}",
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
		{
			name:        "ampersands in parameter values",
			tools:       [],
			rawToolCall: "{\"name\": \"exec\", \"arguments\": {\"command\": \"ls && echo \\\"done\\\"\"}}",
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
			name:        "angle brackets in parameter values",
			tools:       [],
			rawToolCall: "{\"name\": \"exec\", \"arguments\": {\"command\": \"ls && echo \\\"a > b and a < b\\\"\"}}",
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
			name:        "unicode in function names and parameters",
			tools:       [],
			rawToolCall: "{\"name\": \"获取天气\", \"arguments\": {\"城市\": \"北京\", \"message\": \"Hello! 你好! 🌟 مرحبا\"}}",
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

export const parserState = [
		{
			desc:        "no thinking support => CollectingContent",
			hasThinking: false,
			last:        null,
			wantState:   CollectingContent,
		},
		{
			desc:        "thinking support, no last message => CollectingThinkingContent",
			hasThinking: true,
			last:        null,
			wantState:   CollectingThinkingContent,
		},
		{
			desc:        "thinking support, last assistant with empty content => CollectingThinkingContent",
			hasThinking: true,
			last:        {role: "assistant", content: ""},
			wantState:   CollectingThinkingContent,
		},
		{
			desc:        "thinking support, last assistant with content => CollectingContent",
			hasThinking: true,
			last:        {role: "assistant", content: "hello"},
			wantState:   CollectingContent,
		},
		{
			desc:        "thinking support, last is user => CollectingThinkingContent",
			hasThinking: true,
			last:        {role: "user", content: "hi"},
			wantState:   CollectingThinkingContent,
		},
	];

export const thinkingPrefill = [
		{
			desc: "thinking prefill",
			steps: [
				{input: "abc</think>", wantEvents: [{kind: "qwenEventThinkingContent", content: "abc"}]},
			],
		},
		{
			desc: "thinking prefill with content",
			steps: [
				{input: "abc</th", wantEvents: [{kind: "qwenEventThinkingContent", content: "abc"}]},
				{input: "ink> def", wantEvents: [{kind: "qwenEventContent", content: "def"}]},
			],
		},
		{
			desc: "thinking prefill with fakeout",
			steps: [
				{input: "abc</think", wantEvents: [{kind: "qwenEventThinkingContent", content: "abc"}]},
				{input: " fakeout </think", wantEvents: [{kind: "qwenEventThinkingContent", content: "</think fakeout"}]},
				{input: ">", wantEvents: []},
			],
		},
		{
			desc: "thinking prefill with spaces",
			steps: [
				{input: "        </think> starting content", wantEvents: [{kind: "qwenEventContent", content: "starting content"}]},
			],
		},
	];

export const nonThinkingPrefill = [
		{
			desc: "thinking prefill",
			steps: [
				{input: "abc</think>", wantEvents: [{kind: "qwenEventContent", content: "abc</think>"}]},
			],
		},
		{
			desc: "thinking prefill with content",
			steps: [
				{input: "abc</th", wantEvents: [{kind: "qwenEventContent", content: "abc</th"}]},
				{input: "ink> def", wantEvents: [{kind: "qwenEventContent", content: "ink> def"}]},
			],
		},
		{
			desc: "thinking prefill with fakeout",
			steps: [
				{input: "abc</think", wantEvents: [{kind: "qwenEventContent", content: "abc</think"}]},
				{input: " fakeout </think", wantEvents: [{kind: "qwenEventContent", content: " fakeout </think"}]},
				{input: ">", wantEvents: [{kind: "qwenEventContent", content: ">"}]},
			],
		},
		{
			desc: "thinking prefill with spaces",
			steps: [
				{input: "        </think> starting content", wantEvents: [{kind: "qwenEventContent", content: "        </think> starting content"}]},
			],
		},
	];

export const prefillContentSteps = [
		{input: "abc</think>", wantEvents: [{kind: "qwenEventContent", content: "abc</think>"}]},
		{input: "<tool_call>{\"name\": \"x\", \"arguments\": {}}</tool_call>", wantEvents: [{kind: "qwenEventRawToolCall", raw: "{\"name\": \"x\", \"arguments\": {}}"}]},
	];

export const thinkingWhitespace = [
		{
			desc: "whitespace after thinking tag is trimmed",
			steps: [
				{
					input: "thinking content</think>   \n\t  content starts here",
					wantEvents: [
						{kind: "qwenEventThinkingContent", content: "thinking content"},
						{kind: "qwenEventContent", content: "content starts here"},
					],
				},
			],
		},
		{
			desc: "whitespace after thinking tag split across chunks",
			steps: [
				{
					input:      "thinking content</think>   ",
					wantEvents: [{kind: "qwenEventThinkingContent", content: "thinking content"}],
				},
				{
					input:      "  \n\t",
					wantEvents: [],
				},
				{
					input: "content",
					wantEvents: [
						{kind: "qwenEventContent", content: "content"},
					],
				},
			],
		},
		{
			desc: "only whitespace after thinking tag",
			steps: [
				{
					input:      "thinking content</think>   \n\t  ",
					wantEvents: [{kind: "qwenEventThinkingContent", content: "thinking content"}],
				},
			],
		},
		{
			desc: "multiple spaces and tabs after thinking",
			steps: [
				{
					input: "think</think>     \t\t\n\n   text",
					wantEvents: [
						{kind: "qwenEventThinkingContent", content: "think"},
						{kind: "qwenEventContent", content: "text"},
					],
				},
			],
		},
		{
			desc: "trailing whitespace before thinking tag is preserved in content",
			steps: [
				{
					input: "thinking with spaces   </think>text",
					wantEvents: [
						{kind: "qwenEventThinkingContent", content: "thinking with spaces"},
						{kind: "qwenEventContent", content: "text"},
					],
				},
			],
		},
		{
			desc: "whitespace between thinking and tool call",
			steps: [
				{
					input: "thinking</think>  \n  <tool_call>{\"name\":\"test\"}</tool_call>",
					wantEvents: [
						{kind: "qwenEventThinkingContent", content: "thinking"},
						{kind: "qwenEventRawToolCall", raw: "{\"name\":\"test\"}"},
					],
				},
			],
		},
		{
			desc: "no whitespace after thinking tag",
			steps: [
				{
					input: "thinking</think>content",
					wantEvents: [
						{kind: "qwenEventThinkingContent", content: "thinking"},
						{kind: "qwenEventContent", content: "content"},
					],
				},
			],
		},
		{
			desc: "unicode whitespace after thinking tag",
			steps: [
				{
					input: "thinking</think>\u00a0\u3000content",
					wantEvents: [
						{kind: "qwenEventThinkingContent", content: "thinking"},
						{kind: "qwenEventContent", content: "content"},
					],
				},
			],
		},
		{
			desc: "whitespace split with partial thinking tag",
			steps: [
				{
					input:      "thinking</th",
					wantEvents: [{kind: "qwenEventThinkingContent", content: "thinking"}],
				},
				{
					input:      "ink>  \n",
					wantEvents: [],
				},
				{
					input: "  content",
					wantEvents: [
						{kind: "qwenEventContent", content: "content"},
					],
				},
			],
		},
		{
			desc: "empty thinking tag with whitespace after",
			steps: [
				{
					input: "</think>   \ncontent",
					wantEvents: [
						{kind: "qwenEventContent", content: "content"},
					],
				},
			],
		},
		{
			desc: "whitespace inside tool call preserves trailing space",
			steps: [
				{
					input: "bruh</think> \n \n \n \n \n \n blahhhhhhhhhh blahhhh blahhhh \n\n\n\t\t     <tool_call>   tool content   </tool_call> \n\n\n\n\n\n\n after",
					wantEvents: [
						{kind: "qwenEventThinkingContent", content: "bruh"},
						{kind: "qwenEventContent", content: "blahhhhhhhhhh blahhhh blahhhh"},
						{kind: "qwenEventRawToolCall", raw: "   tool content   "},
						{kind: "qwenEventContent", content: "after"},
					],
				},
			],
		},
		{
			desc: "whitespace inside tool call preserves trailing space",
			steps: [
				{
					input: "bruh</think>          shdjfhksdhfj  ",
					wantEvents: [
						{kind: "qwenEventThinkingContent", content: "bruh"},
						{kind: "qwenEventContent", content: "shdjfhksdhfj"},
					],
				},
				{
					input: "another word  ",
					wantEvents: [
						{kind: "qwenEventContent", content: "  another word"},
					],
				},
				{
					input: "<tool_call>   tool content   </tool_call>            ",
					wantEvents: [
						{kind: "qwenEventRawToolCall", raw: "   tool content   "},
					],
				},
				{
					input: "\n \n \n \n \n \n blahhhhhhhhhh blahhhh blahhhh \n\n\n\t\t     <tool_call>   anotha one   </tool_call> \n\n\n\n\n\n\n after \n\n\n\n\n\n blep",
					wantEvents: [
						{kind: "qwenEventContent", content: "blahhhhhhhhhh blahhhh blahhhh"},
						{kind: "qwenEventRawToolCall", raw: "   anotha one   "},
						{kind: "qwenEventContent", content: "after \n\n\n\n\n\n blep"},
					],
				},
			],
		},
	];

export const thinkingToolWhitespace = [
		{
			desc:       "whitespace inside tool call is fully preserved (with content prefill)",
			prefillMsg: {role: "assistant", content: "prefill"},
			steps: [
				{
					input: "before<tool_call>   tool content   </tool_call>  \n  after",
					wantEvents: [
						{kind: "qwenEventContent", content: "before"},
						{kind: "qwenEventRawToolCall", raw: "   tool content   "},
						{kind: "qwenEventContent", content: "after"},
					],
				},
			],
		},
		{
			desc:       "whitespace after tool call trimmed across chunks (with content prefill)",
			prefillMsg: {role: "assistant", content: "prefill"},
			steps: [
				{
					input: "before<tool_call>tool</tool_call>   ",
					wantEvents: [
						{kind: "qwenEventContent", content: "before"},
						{kind: "qwenEventRawToolCall", raw: "tool"},
					],
				},
				{
					input:      "\n\t",
					wantEvents: [],
				},
				{
					input: "after \n this is a song",
					wantEvents: [
						{kind: "qwenEventContent", content: "after \n this is a song"},
					],
				},
			],
		},
		{
			desc:       "multiple tool calls with whitespace between (with content prefill)",
			prefillMsg: {role: "assistant", content: "prefill"},
			steps: [
				{
					input: "<tool_call>first</tool_call>  \n  <tool_call>second</tool_call>",
					wantEvents: [
						{kind: "qwenEventRawToolCall", raw: "first"},
						{kind: "qwenEventRawToolCall", raw: "second"},
					],
				},
			],
		},
		{
			desc: "thinking with whitespace then tool call",
			steps: [
				{
					input: "thinking</think>   \n   <tool_call>tool</tool_call>   \n   content",
					wantEvents: [
						{kind: "qwenEventThinkingContent", content: "thinking"},
						{kind: "qwenEventRawToolCall", raw: "tool"},
						{kind: "qwenEventContent", content: "content"},
					],
				},
			],
		},
	];

export const nonThinkingStreaming = [
		{
			desc: "simple thinking",
			steps: [
				{input: "abc</think>", wantEvents: [{kind: "qwenEventContent", content: "abc</think>"}]},
			],
		},
		{
			desc: "simple trip thinking",
			steps: [
				{input: "<think>abc</think>", wantEvents: [{kind: "qwenEventContent", content: "<think>abc</think>"}]},
			],
		},
		{
			desc: "thinking with split tags",
			steps: [
				{input: "abc", wantEvents: [{kind: "qwenEventContent", content: "abc"}]},
				{input: "</think>", wantEvents: [{kind: "qwenEventContent", content: "</think>"}]},
			],
		},
		{
			desc: "multiple think tags",
			steps: [
				{input: "abc<think>actually, is not thinking</think>", wantEvents: [{kind: "qwenEventContent", content: "abc<think>actually, is not thinking</think>"}]},
			],
		},
		{
			desc: "thinking and tool call",
			steps: [
				{
					input: "I'm thinking</think><tool_call>I'm tool calling</tool_call>",
					wantEvents: [
						{kind: "qwenEventContent", content: "I'm thinking</think>"},
						{kind: "qwenEventRawToolCall", raw: "I'm tool calling"},
					],
				},
			],
		},
		{
			desc: "nested thinking (outside thinking, inside thinking)",
			steps: [
				{
					input: "I'm thinking<think>I'm nested thinking</think></think>",
					wantEvents: [
						{kind: "qwenEventContent", content: "I'm thinking<think>I'm nested thinking</think></think>"},
					],
				},
			],
		},
		{
			desc: "interleaved thinking",
			steps: [
				{
					input: "<think>I'm thinking</think>I'm actually content</think>",
					wantEvents: [
						{kind: "qwenEventContent", content: "<think>I'm thinking</think>I'm actually content</think>"},
					],
				},
			],
		},
		{
			desc: "nested thinking and tool call (outside thinking, inside tool call)",
			steps: [
				{
					input: "I'm thinking<tool_call>I'm nested tool call</tool_call></think>",
					wantEvents: [
						{kind: "qwenEventContent", content: "I'm thinking"},
						{kind: "qwenEventRawToolCall", raw: "I'm nested tool call"},
						{kind: "qwenEventContent", content: "</think>"},
					],
				},
			],
		},
		{
			desc: "nested thinking and tool call (outside tool call, inside thinking)",
			steps: [
				{
					input: "<tool_call>I'm nested tool call<think>I'm thinking</think></tool_call>",
					wantEvents: [
						{kind: "qwenEventRawToolCall", raw: "I'm nested tool call<think>I'm thinking</think>"},
					],
				},
			],
		},
		{
			desc: "interleaved thinking and tool call",
			steps: [
				{
					input: "I'm thinking<tool_call>I'm NOT a nested tool call</think></tool_call><tool_call>I'm nested tool call 2<think></tool_call></think>",
					wantEvents: [
						{kind: "qwenEventContent", content: "I'm thinking"},
						{kind: "qwenEventRawToolCall", raw: "I'm NOT a nested tool call</think>"},
						{kind: "qwenEventRawToolCall", raw: "I'm nested tool call 2<think>"},
						{kind: "qwenEventContent", content: "</think>"},
					],
				},
			],
		},
		{
			desc: "emit unambiguous before partial tool open (trailing ws)",
			steps: [
				{
					input:      "abc\u00a0\n<tool_call",
					wantEvents: [{kind: "qwenEventContent", content: "abc"}],
				},
				{
					input:      " fakeout",
					wantEvents: [{kind: "qwenEventContent", content: "\u00a0\n<tool_call fakeout"}],
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
						{kind: "qwenEventRawToolCall", raw: "abc"},
					],
				},
			],
		},
		{
			desc: "partial thinking tag fakeout",
			steps: [
				{
					input:      "abc</think",
					wantEvents: [{kind: "qwenEventContent", content: "abc</think"}],
				},
				{
					input:      " fakeout",
					wantEvents: [{kind: "qwenEventContent", content: " fakeout"}],
				},
			],
		},
		{
			desc: "partial thinking incomplete",
			steps: [
				{
					input:      "abc<think>unfinished<", // when something is ambiguious, we dont emit anything
					wantEvents: [{kind: "qwenEventContent", content: "abc<think>unfinished"}],
				},
			],
		},
		{
			desc: "test with split tool and content",
			steps: [
				{
					input: "abc<tool_call>unfinished</", // when something is ambiguious, we dont emit anything
					wantEvents: [
						{kind: "qwenEventContent", content: "abc"},
					],
				},
				{
					input: "tool_call> def",
					wantEvents: [
						{kind: "qwenEventRawToolCall", raw: "unfinished"},
						{kind: "qwenEventContent", content: "def"},
					],
				},
			],
		},
	];

export const oldParserStreaming = [
		{
			desc: "simple message streamed word by word",
			steps: [
				{
					input:      "hi",
					wantEvents: [{kind: "qwenEventContent", content: "hi"}],
				},
				{
					input:      " there",
					wantEvents: [{kind: "qwenEventContent", content: " there"}],
				},
			],
		},
		{
			desc: "content before tool call",
			steps: [
				{
					input:      "hi there<tool_call>",
					wantEvents: [{kind: "qwenEventContent", content: "hi there"}],
				},
			],
		},
		{
			desc: "multiple tool calls in one message",
			steps: [
				{
					input: "before1<tool_call>in tool call</tool_call>after1<tool_call>in tool call 2</tool_call>after2",
					wantEvents: [
						{kind: "qwenEventContent", content: "before1"},
						{kind: "qwenEventRawToolCall", raw: "in tool call"},
						{kind: "qwenEventContent", content: "after1"},
						{kind: "qwenEventRawToolCall", raw: "in tool call 2"},
						{kind: "qwenEventContent", content: "after2"},
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
						{kind: "qwenEventContent", content: "before"},
					],
				},
				{
					input:      "_call>in tool call</tool",
					wantEvents: [],
				},
				{
					input: "_call>af",
					wantEvents: [
						{kind: "qwenEventRawToolCall", raw: "in tool call"},
						{kind: "qwenEventContent", content: "af"},
					],
				},
				{
					input: "ter",
					wantEvents: [
						{kind: "qwenEventContent", content: "ter"},
					],
				},
			],
		},
		{
			desc: "trailing whitespace between content and tool call",
			steps: [
				{
					input: "abc\n<tool_call>def</tool_call>",
					wantEvents: [
						{kind: "qwenEventContent", content: "abc"},
						{kind: "qwenEventRawToolCall", raw: "def"},
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
						{kind: "qwenEventRawToolCall", raw: "abc"},
						{kind: "qwenEventContent", content: "def"},
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
						{kind: "qwenEventRawToolCall", raw: "abc"},
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
						{kind: "qwenEventContent", content: "abc"},
					],
				},
				{
					input: " fakeout",
					wantEvents: [
						{kind: "qwenEventContent", content: "\n<tool_call fakeout"},
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
						{kind: "qwenEventContent", content: "a"},
					],
				},
				{
					input:      "\n",
					wantEvents: [],
				},
				{
					input: "b",
					wantEvents: [
						{kind: "qwenEventContent", content: "\nb"},
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
						{kind: "qwenEventContent", content: "你好 🌍"},
						{kind: "qwenEventRawToolCall", raw: "test"},
						{kind: "qwenEventContent", content: "مرحبا"},
					],
				},
			],
		},
		{
			desc: "arabic text handling",
			steps: [
				{
					input:      "مرحبا بالعالم",
					wantEvents: [{kind: "qwenEventContent", content: "مرحبا بالعالم"}],
				},
			],
		},
		{
			desc: "emoji passthrough",
			steps: [
				{
					input:      "✅",
					wantEvents: [{kind: "qwenEventContent", content: "✅"}],
				},
			],
		},
		{
			desc: "emoji after tool call",
			steps: [
				{
					input: "<tool_call>test</tool_call>完成 ✅",
					wantEvents: [
						{kind: "qwenEventRawToolCall", raw: "test"},
						{kind: "qwenEventContent", content: "完成 ✅"},
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
						{kind: "qwenEventContent", content: "مرحبا"},
					],
				},
				{
					input:      " \n",
					wantEvents: [],
				},
				{
					input: "世界",
					wantEvents: [
						{kind: "qwenEventContent", content: " \n世界"},
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
						{kind: "qwenEventContent", content: "Hello"},
					],
				},
				{
					input: "world",
					wantEvents: [
						{kind: "qwenEventContent", content: "\u00a0world"},
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
						{kind: "qwenEventContent", content: "Hello"},
					],
				},
				{
					input:      "_call>abc",
					wantEvents: [],
				},
				{
					input: "</tool_call>def",
					wantEvents: [
						{kind: "qwenEventRawToolCall", raw: "abc"},
						{kind: "qwenEventContent", content: "def"},
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
						{kind: "qwenEventContent", content: "Hello"},
					],
				},
				{
					input: "fakeout>abc",
					wantEvents: [
						{kind: "qwenEventContent", content: "\u3000<toolfakeout>abc"},
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
						{kind: "qwenEventContent", content: "测试🎯"},
					],
				},
			],
		},
	];

export const nonThinkingToolParser = [
		{
			name:        "simple tool call",
			tools:       [],
			rawToolCall: "{\"name\": \"get-current-weather\", \"arguments\": {\"location\": \"San Francisco, CA\", \"unit\": \"fahrenheit\"}}",
			wantToolCall: {
				function: {
					name: "get-current-weather",
					arguments: testArgs({
						"location": "San Francisco, CA",
						"unit":     "fahrenheit",
					}),
				},
			},
		},
		{
			name:        "names with spaces",
			tools:       [],
			rawToolCall: "{\"name\": \"get current temperature\", \"arguments\": {\"location with spaces\": \"San Francisco\", \"unit with spaces\": \"celsius\"}}",
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
		{
			name:        "names with quotes",
			tools:       [],
			rawToolCall: "{\"name\": \"\\\"get current temperature\\\"\", \"arguments\": {\"\\\"location with spaces\\\"\": \"San Francisco\", \"\\\"unit with spaces\\\"\": \"\\\"celsius\\\"\"}}",
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
			name:        "tool call with typed parameters (json types)",
			tools:       [],
			rawToolCall: "{\"name\": \"calculate\", \"arguments\": {\"x\": 3.14, \"y\": 42, \"enabled\": true, \"items\": [\"a\", \"b\", \"c\"]}}",
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
		{
			name:        "ampersands in parameter values",
			tools:       [],
			rawToolCall: "{\"name\": \"exec\", \"arguments\": {\"command\": \"ls && echo \\\"done\\\"\"}}",
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
			name:        "angle brackets in parameter values",
			tools:       [],
			rawToolCall: "{\"name\": \"exec\", \"arguments\": {\"command\": \"ls && echo \\\"a > b and a < b\\\"\"}}",
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
			name:        "unicode in function names and parameters",
			tools:       [],
			rawToolCall: "{\"name\": \"获取天气\", \"arguments\": {\"城市\": \"北京\", \"message\": \"Hello! 你好! 🌟 مرحبا\"}}",
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

export const nonThinkingToolWhitespace = [
		{
			desc: "whitespace inside tool call preserves trailing space",
			steps: [
				{
					input: "before<tool_call>   tool content   </tool_call>after",
					wantEvents: [
						{kind: "qwenEventContent", content: "before"},
						{kind: "qwenEventRawToolCall", raw: "   tool content   "},
						{kind: "qwenEventContent", content: "after"},
					],
				},
			],
		},
		{
			desc: "whitespace inside tool call preserves trailing space",
			steps: [
				{
					input: "\n \n \n \n \n \n blahhhhhhhhhh blahhhh blahhhh \n\n\n\t\t     <tool_call>   tool content   </tool_call> \n\n\n\n\n\n\n after",
					wantEvents: [
						{kind: "qwenEventContent", content: "\n \n \n \n \n \n blahhhhhhhhhh blahhhh blahhhh"},
						{kind: "qwenEventRawToolCall", raw: "   tool content   "},
						{kind: "qwenEventContent", content: "after"},
					],
				},
			],
		},
		{
			desc: "whitespace inside tool call preserves trailing space",
			steps: [
				{
					input: "<tool_call>   tool content   </tool_call>            ",
					wantEvents: [
						{kind: "qwenEventRawToolCall", raw: "   tool content   "},
					],
				},
				{
					input: "\n \n \n \n \n \n blahhhhhhhhhh blahhhh blahhhh \n\n\n\t\t     <tool_call>   anotha one   </tool_call> \n\n\n\n\n\n\n after \n\n\n\n\n\n blep",
					wantEvents: [
						{kind: "qwenEventContent", content: "blahhhhhhhhhh blahhhh blahhhh"},
						{kind: "qwenEventRawToolCall", raw: "   anotha one   "},
						{kind: "qwenEventContent", content: "after \n\n\n\n\n\n blep"},
					],
				},
			],
		},
		{
			desc: "whitespace between content and tool call",
			steps: [
				{
					input: "content   \n  <tool_call>tool</tool_call>  \n  more content",
					wantEvents: [
						{kind: "qwenEventContent", content: "content"},
						{kind: "qwenEventRawToolCall", raw: "tool"},
						{kind: "qwenEventContent", content: "more content"},
					],
				},
			],
		},
		{
			desc: "consecutive tool calls with whitespace",
			steps: [
				{
					input: "<tool_call>first</tool_call>  \n  <tool_call>second</tool_call>  \n  <tool_call>third</tool_call>",
					wantEvents: [
						{kind: "qwenEventRawToolCall", raw: "first"},
						{kind: "qwenEventRawToolCall", raw: "second"},
						{kind: "qwenEventRawToolCall", raw: "third"},
					],
				},
			],
		},
		{
			desc: "whitespace before and after tool open tag",
			steps: [
				{
					input: "text   \n   <tool_call>content</tool_call>",
					wantEvents: [
						{kind: "qwenEventContent", content: "text"},
						{kind: "qwenEventRawToolCall", raw: "content"},
					],
				},
			],
		},
		{
			desc: "unicode whitespace around tool calls",
			steps: [
				{
					input: "text\u00a0\u3000<tool_call>content</tool_call>\u00a0\u3000text",
					wantEvents: [
						{kind: "qwenEventContent", content: "text"},
						{kind: "qwenEventRawToolCall", raw: "content"},
						{kind: "qwenEventContent", content: "text"},
					],
				},
			],
		},
		{
			desc: "empty tool call with surrounding whitespace",
			steps: [
				{
					input: "before  <tool_call></tool_call>  after",
					wantEvents: [
						{kind: "qwenEventContent", content: "before"},
						{kind: "qwenEventRawToolCall", raw: ""},
						{kind: "qwenEventContent", content: "after"},
					],
				},
			],
		},
		{
			desc: "whitespace in tool call split across chunks",
			steps: [
				{
					input:      "before<tool_call>  ",
					wantEvents: [{kind: "qwenEventContent", content: "before"}],
				},
				{
					input:      "tool",
					wantEvents: [],
				},
				{
					input: "  </tool_call>after",
					wantEvents: [
						{kind: "qwenEventRawToolCall", raw: "  tool  "},
						{kind: "qwenEventContent", content: "after"},
					],
				},
			],
		},
		{
			desc: "mixed whitespace types between tool calls",
			steps: [
				{
					input: "<tool_call>first</tool_call> \t\n\r <tool_call>second</tool_call>",
					wantEvents: [
						{kind: "qwenEventRawToolCall", raw: "first"},
						{kind: "qwenEventRawToolCall", raw: "second"},
					],
				},
			],
		},
	];
