/** Ported from Ollama's model/parsers/ministral_test.go (tables as data). */

export const streaming = [
		// Content streaming
		{
			desc: "simple content",
			steps: [
				{input: "Hello, how can I help you?", wantEvents: [
					{kind: "ministralEventContent", content: "Hello, how can I help you?"},
				]},
			],
		},
		{
			desc: "streaming content word by word",
			steps: [
				{input: "Hello,", wantEvents: [{kind: "ministralEventContent", content: "Hello,"}]},
				{input: " how", wantEvents: [{kind: "ministralEventContent", content: " how"}]},
				{input: " can I help?", wantEvents: [{kind: "ministralEventContent", content: " can I help?"}]},
			],
		},

		// Simple tool calls
		{
			desc:  "simple tool call",
			tools: [{function: {name: "get_weather"}}],
			steps: [
				{input: "[TOOL_CALLS]get_weather[ARGS]{\"location\": \"San Francisco\"}", wantEvents: [
					{kind: "ministralEventToolCall", name: "get_weather", args: "{\"location\": \"San Francisco\"}"},
				]},
			],
		},
		{
			desc:  "tool call with nested object",
			tools: [{function: {name: "create_entities"}}],
			steps: [
				{input: "[TOOL_CALLS]create_entities[ARGS]{\"entities\": [{\"entityType\": \"Person\", \"name\": \"Jack\", \"observations\": [\"Works as a baker\"]}]}", wantEvents: [
					{kind: "ministralEventToolCall", name: "create_entities", args: "{\"entities\": [{\"entityType\": \"Person\", \"name\": \"Jack\", \"observations\": [\"Works as a baker\"]}]}"},
				]},
			],
		},
		{
			desc:  "tool call with deeply nested objects",
			tools: [{function: {name: "update_config"}}],
			steps: [
				{input: "[TOOL_CALLS]update_config[ARGS]{\"settings\": {\"user\": {\"profile\": {\"name\": \"John\", \"age\": 30}}, \"theme\": \"dark\"}}", wantEvents: [
					{kind: "ministralEventToolCall", name: "update_config", args: "{\"settings\": {\"user\": {\"profile\": {\"name\": \"John\", \"age\": 30}}, \"theme\": \"dark\"}}"},
				]},
			],
		},
		{
			desc:  "tool call with array of objects",
			tools: [{function: {name: "process_items"}}],
			steps: [
				{input: "[TOOL_CALLS]process_items[ARGS]{\"items\": [{\"id\": 1}, {\"id\": 2}, {\"id\": 3}]}", wantEvents: [
					{kind: "ministralEventToolCall", name: "process_items", args: "{\"items\": [{\"id\": 1}, {\"id\": 2}, {\"id\": 3}]}"},
				]},
			],
		},
		{
			desc:  "tool call with escaped quotes in string",
			tools: [{function: {name: "search"}}],
			steps: [
				{input: "[TOOL_CALLS]search[ARGS]{\"query\": \"say \\\"hello\\\"\"}", wantEvents: [
					{kind: "ministralEventToolCall", name: "search", args: "{\"query\": \"say \\\"hello\\\"\"}"},
				]},
			],
		},
		{
			desc:  "tool call with braces inside string",
			tools: [{function: {name: "format"}}],
			steps: [
				{input: "[TOOL_CALLS]format[ARGS]{\"template\": \"Hello {name}!\"}", wantEvents: [
					{kind: "ministralEventToolCall", name: "format", args: "{\"template\": \"Hello {name}!\"}"},
				]},
			],
		},
		{
			desc:  "empty JSON object",
			tools: [{function: {name: "no_args"}}],
			steps: [
				{input: "[TOOL_CALLS]no_args[ARGS]{}", wantEvents: [
					{kind: "ministralEventToolCall", name: "no_args", args: "{}"},
				]},
			],
		},
		{
			desc:  "JSON with newlines in string",
			tools: [{function: {name: "write"}}],
			steps: [
				{input: "[TOOL_CALLS]write[ARGS]{\"content\": \"line1\\nline2\\nline3\"}", wantEvents: [
					{kind: "ministralEventToolCall", name: "write", args: "{\"content\": \"line1\\nline2\\nline3\"}"},
				]},
			],
		},
		{
			desc:  "backslash in string value",
			tools: [{function: {name: "path"}}],
			steps: [
				{input: "[TOOL_CALLS]path[ARGS]{\"dir\": \"C:\\\\Users\\\\test\"}", wantEvents: [
					{kind: "ministralEventToolCall", name: "path", args: "{\"dir\": \"C:\\\\Users\\\\test\"}"},
				]},
			],
		},

		// Content after tool call
		{
			desc:  "content after tool call",
			tools: [{function: {name: "test"}}],
			steps: [
				// NOTE: It's unclear if this is valid Ministral output, but the parser
				// currently treats text after a tool call as regular content. This test
				// documents that behavior so we notice if it changes.
				{input: "[TOOL_CALLS]test[ARGS]{\"a\": 1}some content after", wantEvents: [
					{kind: "ministralEventToolCall", name: "test", args: "{\"a\": 1}"},
					{kind: "ministralEventContent", content: "some content after"},
				]},
			],
		},

		// Multiple tool calls
		{
			desc: "multiple tool calls in sequence",
			tools: [
				{function: {name: "get_weather"}},
				{function: {name: "get_time"}},
			],
			steps: [
				{input: "[TOOL_CALLS]get_weather[ARGS]{\"location\": \"NYC\"}[TOOL_CALLS]get_time[ARGS]{\"timezone\": \"EST\"}", wantEvents: [
					{kind: "ministralEventToolCall", name: "get_weather", args: "{\"location\": \"NYC\"}"},
					{kind: "ministralEventToolCall", name: "get_time", args: "{\"timezone\": \"EST\"}"},
				]},
			],
		},
		{
			desc: "multiple tool calls streamed separately",
			tools: [
				{function: {name: "tool_a"}},
				{function: {name: "tool_b"}},
			],
			steps: [
				{input: "[TOOL_CALLS]tool_a[ARGS]{\"x\": 1}", wantEvents: [
					{kind: "ministralEventToolCall", name: "tool_a", args: "{\"x\": 1}"},
				]},
				{input: "[TOOL_CALLS]tool_b[ARGS]{\"y\": 2}", wantEvents: [
					{kind: "ministralEventToolCall", name: "tool_b", args: "{\"y\": 2}"},
				]},
			],
		},

		// Streaming tool calls
		{
			desc:  "streaming tool call with nested objects",
			tools: [{function: {name: "create_entities"}}],
			steps: [
				{input: "[TOOL_CALLS]create_entities[ARGS]", wantEvents: []},
				{input: "{\"entities\": [{\"entityType\": \"Person\",", wantEvents: []},
				{input: " \"name\": \"Jack\",", wantEvents: []},
				{input: " \"observations\": [\"Works", wantEvents: []},
				{input: " as a baker\"]}", wantEvents: []},
				{input: "]}", wantEvents: [
					{kind: "ministralEventToolCall", name: "create_entities", args: "{\"entities\": [{\"entityType\": \"Person\", \"name\": \"Jack\", \"observations\": [\"Works as a baker\"]}]}"},
				]},
			],
		},
		{
			desc:  "streaming with incomplete JSON waits for completion",
			tools: [{function: {name: "test"}}],
			steps: [
				{input: "[TOOL_CALLS]test[ARGS]{", wantEvents: []},
				{input: "\"a\": {", wantEvents: []},
				{input: "\"b\": 1", wantEvents: []},
				{input: "}", wantEvents: []},
				{input: "}", wantEvents: [
					{kind: "ministralEventToolCall", name: "test", args: "{\"a\": {\"b\": 1}}"},
				]},
			],
		},

		// Partial tag handling
		{
			desc: "partial tool tag fakeout",
			steps: [
				{input: "abc[TOOL", wantEvents: [{kind: "ministralEventContent", content: "abc"}]},
				{input: " not a tag", wantEvents: [{kind: "ministralEventContent", content: "[TOOL not a tag"}]},
			],
		},
		{
			desc:  "tool call tag split across chunks",
			tools: [{function: {name: "test"}}],
			steps: [
				{input: "[TOOL_", wantEvents: []},
				{input: "CALLS]test[ARGS]{}", wantEvents: [
					{kind: "ministralEventToolCall", name: "test", args: "{}"},
				]},
			],
		},
		{
			desc:  "content before tool call",
			tools: [{function: {name: "get_weather"}}],
			steps: [
				{input: "hello [TOOL_CALLS]get_weather[ARGS]{}", wantEvents: [
					{kind: "ministralEventContent", content: "hello"},
					{kind: "ministralEventToolCall", name: "get_weather", args: "{}"},
				]},
			],
		},
		{
			desc:  "whitespace between content and tool call is trimmed",
			tools: [{function: {name: "test"}}],
			steps: [
				{input: "content \n [TOOL_CALLS]test[ARGS]{}", wantEvents: [
					{kind: "ministralEventContent", content: "content"},
					{kind: "ministralEventToolCall", name: "test", args: "{}"},
				]},
			],
		},
		{
			desc:  "tabs and newlines before tool call are trimmed",
			tools: [{function: {name: "test"}}],
			steps: [
				{input: "content\t\n\t[TOOL_CALLS]test[ARGS]{}", wantEvents: [
					{kind: "ministralEventContent", content: "content"},
					{kind: "ministralEventToolCall", name: "test", args: "{}"},
				]},
			],
		},
		{
			desc:  "non-breaking space before tool call is trimmed",
			tools: [{function: {name: "test"}}],
			steps: [
				// \u00a0 is non-breaking space, which unicode.IsSpace considers whitespace
				{input: "content\u00a0[TOOL_CALLS]test[ARGS]{}", wantEvents: [
					{kind: "ministralEventContent", content: "content"},
					{kind: "ministralEventToolCall", name: "test", args: "{}"},
				]},
			],
		},
		{
			desc: "whitespace before THINK tag is trimmed",
			steps: [
				{input: "content \n [THINK]thinking[/THINK]after", wantEvents: [
					{kind: "ministralEventContent", content: "content"},
					{kind: "ministralEventThinking", thinking: "thinking"},
					{kind: "ministralEventContent", content: "after"},
				]},
			],
		},
		{
			desc: "trailing whitespace withheld then emitted",
			steps: [
				{input: "Hello ", wantEvents: [{kind: "ministralEventContent", content: "Hello"}]},
				{input: "world", wantEvents: [{kind: "ministralEventContent", content: " world"}]},
			],
		},
		{
			desc: "trailing newline withheld then emitted",
			steps: [
				{input: "Hello\n", wantEvents: [{kind: "ministralEventContent", content: "Hello"}]},
				{input: "world", wantEvents: [{kind: "ministralEventContent", content: "\nworld"}]},
			],
		},

		// Thinking support
		{
			desc:  "thinking content",
			think: true,
			steps: [
				{input: "thinking here[/THINK]", wantEvents: [
					{kind: "ministralEventThinking", thinking: "thinking here"},
				]},
				{input: "content after", wantEvents: [
					{kind: "ministralEventContent", content: "content after"},
				]},
			],
		},
		{
			desc:  "thinking with whitespace after end tag",
			think: true,
			steps: [
				{input: "my thoughts[/THINK]  \n  response", wantEvents: [
					{kind: "ministralEventThinking", thinking: "my thoughts"},
					{kind: "ministralEventContent", content: "response"},
				]},
			],
		},
		{
			desc:  "non-breaking space after think end tag is trimmed",
			think: true,
			steps: [
				// \u00a0 is non-breaking space
				{input: "thinking[/THINK]\u00a0response", wantEvents: [
					{kind: "ministralEventThinking", thinking: "thinking"},
					{kind: "ministralEventContent", content: "response"},
				]},
			],
		},
		{
			desc:  "partial think end tag",
			think: true,
			steps: [
				{input: "thinking[/THI", wantEvents: [{kind: "ministralEventThinking", thinking: "thinking"}]},
				{input: "NK]after", wantEvents: [{kind: "ministralEventContent", content: "after"}]},
			],
		},
		{
			desc:  "think tag fakeout",
			think: true,
			steps: [
				{input: "thinking[/THI", wantEvents: [{kind: "ministralEventThinking", thinking: "thinking"}]},
				{input: "not end tag", wantEvents: [{kind: "ministralEventThinking", thinking: "[/THInot end tag"}]},
			],
		},
		{
			desc:  "thinking then tool call",
			think: true,
			tools: [{function: {name: "test"}}],
			steps: [
				{input: "let me think[/THINK][TOOL_CALLS]test[ARGS]{}", wantEvents: [
					{kind: "ministralEventThinking", thinking: "let me think"},
					{kind: "ministralEventToolCall", name: "test", args: "{}"},
				]},
			],
		},

		// Content then THINK tag transition
		{
			desc: "content then think tag",
			steps: [
				{input: "content[THINK]thinking[/THINK]more", wantEvents: [
					{kind: "ministralEventContent", content: "content"},
					{kind: "ministralEventThinking", thinking: "thinking"},
					{kind: "ministralEventContent", content: "more"},
				]},
			],
		},

		// Unicode handling
		{
			desc: "unicode content",
			steps: [
				{input: "你好 🌍 مرحبا", wantEvents: [
					{kind: "ministralEventContent", content: "你好 🌍 مرحبا"},
				]},
			],
		},
		{
			desc:  "unicode in tool args",
			tools: [{function: {name: "greet"}}],
			steps: [
				{input: "[TOOL_CALLS]greet[ARGS]{\"message\": \"你好 🌍\"}", wantEvents: [
					{kind: "ministralEventToolCall", name: "greet", args: "{\"message\": \"你好 🌍\"}"},
				]},
			],
		},
	];

export const findJSONEnd = [
		{
			name:     "simple object",
			input:    "{\"a\": 1}",
			expected: 7,
		},
		{
			name:     "nested object",
			input:    "{\"a\": {\"b\": 2}}",
			expected: 14,
		},
		{
			name:     "array inside object",
			input:    "{\"items\": [1, 2, 3]}",
			expected: 19,
		},
		{
			name:     "braces in string",
			input:    "{\"template\": \"Hello {name}!\"}",
			expected: 28,
		},
		{
			name:     "escaped quotes",
			input:    "{\"msg\": \"say \\\"hi\\\"\"}",
			expected: 20,
		},
		{
			name:     "incomplete object",
			input:    "{\"a\": {\"b\": 1}",
			expected: -1,
		},
		{
			name:     "deeply nested",
			input:    "{\"a\": {\"b\": {\"c\": {\"d\": 1}}}}",
			expected: 28,
		},
		{
			name:     "object with trailing content",
			input:    "{\"a\": 1} extra",
			expected: 7,
		},
		{
			name:     "array",
			input:    "[{\"a\": 1}, {\"b\": 2}]",
			expected: 19,
		},
		{
			name:     "escaped backslash before quote",
			input:    "{\"path\": \"C:\\\\\"}",
			expected: 15,
		},
		{
			name:     "empty string",
			input:    "",
			expected: -1,
		},
		{
			name:     "no opening brace",
			input:    "hello world",
			expected: -1,
		},
		{
			name:     "only opening brace",
			input:    "{",
			expected: -1,
		},
		{
			name:     "unclosed string",
			input:    "{\"key\": \"unclosed",
			expected: -1,
		},
		{
			name:     "double escaped backslash then quote",
			input:    "{\"path\": \"C:\\\\\\\\\"}",
			expected: 17,
		},
		{
			name:     "unicode in key and value",
			input:    "{\"키\": \"값\"}",
			expected: 13,
		},
		{
			name:     "nested arrays",
			input:    "{\"matrix\": [[1, 2], [3, 4]]}",
			expected: 27,
		},
		{
			name:     "mixed nesting",
			input:    "{\"a\": [{\"b\": {\"c\": [1, 2, 3]}}]}",
			expected: 31,
		},
	];
