/** Ported from Ollama's model/parsers/glm46_test.go (tables as data). */
import { args, testArgs, tool } from './helpers.js';

export const streaming = [
		{
			desc: "leading whitespace before think tag",
			steps: [
				{
					input:      "   \n\t  ",
					wantEvents: [],
				},
				{
					input:      "<think>thinking</think>",
					wantEvents: [{kind: "glm46EventThinkingContent", content: "thinking"}],
				},
			],
		},
		{
			desc: "think tag with whitespace inside",
			steps: [
				{
					input: "<think>  \n  thinking content  \n  </think>regular content",
					wantEvents: [
						{kind: "glm46EventThinkingContent", content: "thinking content"},
						{kind: "glm46EventContent", content: "regular content"},
					],
				},
			],
		},
		{
			desc: "tool call with leading whitespace after opening tag",
			steps: [
				{
					input: "<think></think><tool_call>  \n  test  \n  </tool_call>",
					wantEvents: [
						{kind: "glm46EventRawToolCall", raw: "test"},
					],
				},
			],
		},
		{
			desc: "simple thinking then content",
			steps: [
				{
					input: "<think>I am thinking</think>Now I respond",
					wantEvents: [
						{kind: "glm46EventThinkingContent", content: "I am thinking"},
						{kind: "glm46EventContent", content: "Now I respond"},
					],
				},
			],
		},
		{
			desc: "streamed thinking content",
			steps: [
				{
					input:      "<think>hello",
					wantEvents: [{kind: "glm46EventThinkingContent", content: "hello"}],
				},
				{
					input:      " world",
					wantEvents: [{kind: "glm46EventThinkingContent", content: " world"}],
				},
				{
					input: "</think>content",
					wantEvents: [
						{kind: "glm46EventContent", content: "content"},
					],
				},
			],
		},
		{
			desc: "content before tool call",
			steps: [
				{
					input: "<think>Let me call a tool</think>here is text<tool_call>",
					wantEvents: [
						{kind: "glm46EventThinkingContent", content: "Let me call a tool"},
						{kind: "glm46EventContent", content: "here is text"},
					],
				},
				{
					input: "function_name\n<arg_key>param</arg_key>\n<arg_value>value</arg_value>\n</tool_call>",
					wantEvents: [
						{kind: "glm46EventRawToolCall", raw: "function_name\n<arg_key>param</arg_key>\n<arg_value>value</arg_value>"},
					],
				},
			],
		},
		{
			desc: "tool call with content after",
			steps: [
				{
					input: "<think>thinking</think><tool_call>test</tool_call>after tool",
					wantEvents: [
						{kind: "glm46EventThinkingContent", content: "thinking"},
						{kind: "glm46EventRawToolCall", raw: "test"},
						{kind: "glm46EventContent", content: "after tool"},
					],
				},
			],
		},
		{
			desc: "trailing whitespace between content and tool call is trimmed",
			steps: [
				{
					input: "<think>thinking</think>content\n  \t  <tool_call>test</tool_call>",
					wantEvents: [
						{kind: "glm46EventThinkingContent", content: "thinking"},
						{kind: "glm46EventContent", content: "content"},
						{kind: "glm46EventRawToolCall", raw: "test"},
					],
				},
			],
		},
		{
			desc: "trailing whitespace between tool call and content is trimmed",
			steps: [
				{
					input: "<think>think</think><tool_call>test</tool_call>\n\t  after",
					wantEvents: [
						{kind: "glm46EventThinkingContent", content: "think"},
						{kind: "glm46EventRawToolCall", raw: "test"},
						{kind: "glm46EventContent", content: "after"},
					],
				},
			],
		},
		{
			desc: "split thinking close tag",
			steps: [
				{
					input:      "<think>thinking content</th",
					wantEvents: [{kind: "glm46EventThinkingContent", content: "thinking content"}],
				},
				{
					input: "ink>after",
					wantEvents: [
						{kind: "glm46EventContent", content: "after"},
					],
				},
			],
		},
		{
			desc: "split thinking open tag",
			steps: [
				{
					input:      "  <thi",
					wantEvents: [],
				},
				{
					input:      "nk>content</think>",
					wantEvents: [{kind: "glm46EventThinkingContent", content: "content"}],
				},
			],
		},
		{
			desc: "split tool open tag",
			steps: [
				{
					input:      "<think>think</think>content<tool",
					wantEvents: [{kind: "glm46EventThinkingContent", content: "think"}, {kind: "glm46EventContent", content: "content"}],
				},
				{
					input:      "_call>inside",
					wantEvents: [],
				},
				{
					input: "</tool_call>",
					wantEvents: [
						{kind: "glm46EventRawToolCall", raw: "inside"},
					],
				},
			],
		},
		{
			desc: "partial thinking close tag fakeout",
			steps: [
				{
					input:      "<think>content</th",
					wantEvents: [{kind: "glm46EventThinkingContent", content: "content"}],
				},
				{
					input:      "ought more",
					wantEvents: [{kind: "glm46EventThinkingContent", content: "</thought more"}],
				},
			],
		},
		{
			desc: "partial thinking open tag fakeout",
			steps: [
				{
					input:      "  <thi",
					wantEvents: [],
				},
				{
					input: "nking is fun",
					wantEvents: [
						{kind: "glm46EventContent", content: "  <thinking is fun"},
					],
				},
			],
		},
		{
			desc: "partial tool open tag fakeout",
			steps: [
				{
					input: "<think></think>content\n<tool",
					wantEvents: [
						{kind: "glm46EventContent", content: "content"},
					],
				},
				{
					input: " fakeout",
					wantEvents: [
						{kind: "glm46EventContent", content: "\n<tool fakeout"},
					],
				},
			],
		},
		{
			desc: "partial tool close tag fakeout",
			steps: [
				{
					input:      "<think></think><tool_call>content</tool",
					wantEvents: [],
				},
				{
					input:      " fakeout",
					wantEvents: [],
				},
				{
					input: "</tool_call>",
					wantEvents: [
						{kind: "glm46EventRawToolCall", raw: "content</tool fakeout"},
					],
				},
			],
		},
		{
			desc: "empty thinking tag",
			steps: [
				{
					input: "<think></think>content here",
					wantEvents: [
						{kind: "glm46EventContent", content: "content here"},
					],
				},
			],
		},
		{
			desc: "multiple tool calls in sequence",
			steps: [
				{
					input: "<think>think</think><tool_call>first</tool_call>between<tool_call>second</tool_call>end",
					wantEvents: [
						{kind: "glm46EventThinkingContent", content: "think"},
						{kind: "glm46EventRawToolCall", raw: "first"},
						{kind: "glm46EventContent", content: "between"},
						{kind: "glm46EventRawToolCall", raw: "second"},
						{kind: "glm46EventContent", content: "end"},
					],
				},
			],
		},
		{
			desc: "no thinking tag - direct to content",
			steps: [
				{
					input: "just content here",
					wantEvents: [
						{kind: "glm46EventContent", content: "just content here"},
					],
				},
			],
		},
		{
			desc: "no thinking tag - skip to content then tool call",
			steps: [
				{
					input: "Here's the answer:<tool_call>test</tool_call>done",
					wantEvents: [
						{kind: "glm46EventContent", content: "Here's the answer:"},
						{kind: "glm46EventRawToolCall", raw: "test"},
						{kind: "glm46EventContent", content: "done"},
					],
				},
			],
		},
		{
			desc: "no thinking tag - whitespace preserved when no tags",
			steps: [
				{
					input: "  \n  content with leading whitespace",
					wantEvents: [
						{kind: "glm46EventContent", content: "  \n  content with leading whitespace"},
					],
				},
			],
		},
		{
			desc: "whitespace after think close tag gets eaten",
			steps: [
				{
					input: "<think>thinking</think>  \n\t  content",
					wantEvents: [
						{kind: "glm46EventThinkingContent", content: "thinking"},
						{kind: "glm46EventContent", content: "content"},
					],
				},
			],
		},
		{
			desc: "whitespace after tool_call close tag gets eaten",
			steps: [
				{
					input: "<think></think><tool_call>test</tool_call>  \n\t  content",
					wantEvents: [
						{kind: "glm46EventRawToolCall", raw: "test"},
						{kind: "glm46EventContent", content: "content"},
					],
				},
			],
		},
		{
			desc: "thinking content withholds trailing whitespace (single chunk)",
			steps: [
				{
					input: "<think>thinking content   ",
					wantEvents: [
						{kind: "glm46EventThinkingContent", content: "thinking content"},
					],
				},
				{
					input: "</think>after",
					wantEvents: [
						{kind: "glm46EventContent", content: "after"},
					],
				},
			],
		},
		{
			desc: "thinking content withholds trailing whitespace with newlines",
			steps: [
				{
					input: "<think>thinking\n\n  ",
					wantEvents: [
						{kind: "glm46EventThinkingContent", content: "thinking"},
					],
				},
				{
					input: "</think>content",
					wantEvents: [
						{kind: "glm46EventContent", content: "content"},
					],
				},
			],
		},
		{
			desc: "thinking content trailing whitespace emitted when more content arrives",
			steps: [
				{
					input: "<think>thinking   ",
					wantEvents: [
						{kind: "glm46EventThinkingContent", content: "thinking"},
					],
				},
				{
					input: "more thinking",
					wantEvents: [
						{kind: "glm46EventThinkingContent", content: "   more thinking"},
					],
				},
				{
					input:      "</think>",
					wantEvents: [],
				},
			],
		},
		{
			desc: "thinking content withholds trailing whitespace before partial close tag",
			steps: [
				{
					input: "<think>thinking   </th",
					wantEvents: [
						{kind: "glm46EventThinkingContent", content: "thinking"},
					],
				},
				{
					input: "ink>content",
					wantEvents: [
						{kind: "glm46EventContent", content: "content"},
					],
				},
			],
		},
	];

export const xmlOrder = [
		{
			name: "alternating keys and values",
			xml: "<tool_call>\nfunction_name\n<arg_key>first</arg_key>\n<arg_value>A</arg_value>\n<arg_key>second</arg_key>\n<arg_value>B</arg_value>\n<arg_key>third</arg_key>\n<arg_value>C</arg_value>\n</tool_call>",
			wantKeys:   ["first", "second", "third"],
			wantValues: ["A", "B", "C"],
		},
		{
			name: "all keys then all values",
			xml: "<tool_call>\nfunction_name\n<arg_key>key1</arg_key>\n<arg_key>key2</arg_key>\n<arg_key>key3</arg_key>\n<arg_value>val1</arg_value>\n<arg_value>val2</arg_value>\n<arg_value>val3</arg_value>\n</tool_call>",
			wantKeys:   ["key1", "key2", "key3"],
			wantValues: ["val1", "val2", "val3"],
		},
		{
			name: "mixed grouping",
			xml: "<tool_call>\nfunction_name\n<arg_key>a</arg_key>\n<arg_value>1</arg_value>\n<arg_key>b</arg_key>\n<arg_key>c</arg_key>\n<arg_value>2</arg_value>\n<arg_value>3</arg_value>\n</tool_call>",
			wantKeys:   ["a", "b", "c"],
			wantValues: ["1", "2", "3"],
		},
		{
			name: "reverse order - all values then all keys",
			xml: "<tool_call>\nfunction_name\n<arg_value>X</arg_value>\n<arg_value>Y</arg_value>\n<arg_value>Z</arg_value>\n<arg_key>x</arg_key>\n<arg_key>y</arg_key>\n<arg_key>z</arg_key>\n</tool_call>",
			wantKeys:   ["x", "y", "z"],
			wantValues: ["X", "Y", "Z"],
		},
	];

export const toolCallParsing = [
		{
			name:  "simple tool call",
			tools: [],
			rawToolCall: "get-current-weather\n<arg_key>location</arg_key>\n<arg_value>New York, NY</arg_value>\n<arg_key>unit</arg_key>\n<arg_value>celsius</arg_value>",
			wantToolCall: {
				function: {
					name:      "get-current-weather",
					arguments: args("{\"location\": \"New York, NY\", \"unit\": \"celsius\"}"),
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
			rawToolCall: "calculate\n<arg_key>x</arg_key>\n<arg_value>3.14</arg_value>\n<arg_key>y</arg_key>\n<arg_value>42</arg_value>\n<arg_key>enabled</arg_key>\n<arg_value>true</arg_value>\n<arg_key>items</arg_key>\n<arg_value>[\"a\", \"b\", \"c\"]</arg_value>",
			wantToolCall: {
				function: {
					name:      "calculate",
					arguments: args("{\"enabled\": true, \"items\": [\"a\", \"b\", \"c\"], \"x\": 3.14, \"y\": 42}"),
				},
			},
		},
		{
			name:  "function name with whitespace",
			tools: [],
			rawToolCall: "  get-weather\n<arg_key>city</arg_key>\n<arg_value>Paris</arg_value>",
			wantToolCall: {
				function: {
					name:      "get-weather",
					arguments: args("{\"city\": \"Paris\"}"),
				},
			},
		},
		{
			name:  "values with special characters",
			tools: [],
			rawToolCall: "execute-command\n<arg_key>command</arg_key>\n<arg_value>ls && echo \"done\"</arg_value>\n<arg_key>message</arg_key>\n<arg_value>a < b and c > d</arg_value>",
			wantToolCall: {
				function: {
					name:      "execute-command",
					arguments: args("{\"command\": \"ls && echo \\\"done\\\"\", \"message\": \"a < b and c > d\"}"),
				},
			},
		},
		{
			name:  "unicode in function names and values",
			tools: [],
			rawToolCall: "获取天气\n<arg_key>城市</arg_key>\n<arg_value>北京</arg_value>\n<arg_key>message</arg_key>\n<arg_value>Hello! 你好! 🌟</arg_value>",
			wantToolCall: {
				function: {
					name:      "获取天气",
					arguments: args("{\"message\": \"Hello! 你好! 🌟\", \"城市\": \"北京\"}"),
				},
			},
		},
		{
			name:  "empty value",
			tools: [],
			rawToolCall: "test-function\n<arg_key>param1</arg_key>\n<arg_value></arg_value>",
			wantToolCall: {
				function: {
					name:      "test-function",
					arguments: args("{\"param1\": \"\"}"),
				},
			},
		},
		{
			name:  "special chars in arg_key names",
			tools: [],
			rawToolCall: "test-function\n<arg_key>param<1></arg_key>\n<arg_value>value1</arg_value>\n<arg_key>a&b</arg_key>\n<arg_value>value2</arg_value>\n<arg_key>x>y</arg_key>\n<arg_value>value3</arg_value>",
			wantToolCall: {
				function: {
					name:      "test-function",
					arguments: args("{\"a&b\": \"value2\", \"param<1>\": \"value1\", \"x>y\": \"value3\"}"),
				},
			},
		},
		{
			name:  "multiple consecutive ampersands",
			tools: [],
			rawToolCall: "test-function\n<arg_key>param</arg_key>\n<arg_value>test &&&& more</arg_value>",
			wantToolCall: {
				function: {
					name:      "test-function",
					arguments: args("{\"param\": \"test &&&& more\"}"),
				},
			},
		},
		{
			name:  "mixed special chars together",
			tools: [],
			rawToolCall: "test-function\n<arg_key>param</arg_key>\n<arg_value><>&<>&</arg_value>",
			wantToolCall: {
				function: {
					name:      "test-function",
					arguments: args("{\"param\": \"<>&<>&\"}"),
				},
			},
		},
		{
			name:  "newlines and tabs in parameter values",
			tools: [],
			rawToolCall: "test-function\n<arg_key>multiline</arg_key>\n<arg_value>line1\n\tindented line2\nline3</arg_value>",
			wantToolCall: {
				function: {
					name:      "test-function",
					arguments: args("{\"multiline\": \"line1\\n\\tindented line2\\nline3\"}"),
				},
			},
		},
		{
			name:  "single and double quotes in values",
			tools: [],
			rawToolCall: "test-function\n<arg_key>quotes</arg_key>\n<arg_value>She said \"Hello's there!\"</arg_value>",
			wantToolCall: {
				function: {
					name:      "test-function",
					arguments: args("{\"quotes\": \"She said \\\"Hello's there!\\\"\"}"),
				},
			},
		},
		{
			name:  "CDATA-like content that should be treated as text",
			tools: [],
			rawToolCall: "test-function\n<arg_key>cdata</arg_key>\n<arg_value><![CDATA[not actual cdata]]></arg_value>",
			wantToolCall: {
				function: {
					name:      "test-function",
					arguments: args("{\"cdata\": \"<![CDATA[not actual cdata]]>\"}"),
				},
			},
		},
		{
			name:  "all special XML entities",
			tools: [],
			rawToolCall: "test-function\n<arg_key>entities</arg_key>\n<arg_value>&lt;&gt;&amp;&apos;&quot;</arg_value>",
			wantToolCall: {
				function: {
					name:      "test-function",
					arguments: args("{\"entities\": \"&lt;&gt;&amp;&apos;&quot;\"}"),
				},
			},
		},
		{
			name:  "order preservation with multiple parameters",
			tools: [],
			rawToolCall: "test-function\n<arg_key>first</arg_key>\n<arg_value>value1</arg_value>\n<arg_key>second</arg_key>\n<arg_value>value2</arg_value>\n<arg_key>third</arg_key>\n<arg_value>value3</arg_value>\n<arg_key>fourth</arg_key>\n<arg_value>value4</arg_value>\n<arg_key>fifth</arg_key>\n<arg_value>value5</arg_value>",
			wantToolCall: {
				function: {
					name:      "test-function",
					arguments: args("{\"fifth\": \"value5\", \"first\": \"value1\", \"fourth\": \"value4\", \"second\": \"value2\", \"third\": \"value3\"}"),
				},
			},
		},
		{
			name:  "order preservation with identical key names but different positions",
			tools: [],
			rawToolCall: "test-function\n<arg_key>param</arg_key>\n<arg_value>first occurrence</arg_value>\n<arg_key>other</arg_key>\n<arg_value>middle</arg_value>\n<arg_key>param</arg_key>\n<arg_value>second occurrence</arg_value>",
			wantToolCall: {
				function: {
					name: "test-function",
					// Later occurrence should overwrite earlier one
					arguments: args("{\"other\": \"middle\", \"param\": \"second occurrence\"}"),
				},
			},
		},
		{
			name: "array with mixed types",
			tools: [
				tool("process", {
					"items": {type: ["array"]},
				}),
			],
			rawToolCall: "process\n<arg_key>items</arg_key>\n<arg_value>[1, \"hello\", true, null]</arg_value>",
			wantToolCall: {
				function: {
					name:      "process",
					arguments: args("{\"items\": [1, \"hello\", true, null]}"),
				},
			},
		},
		{
			name: "empty array",
			tools: [
				tool("test", {
					"tags": {type: ["array"]},
				}),
			],
			rawToolCall: "test\n<arg_key>tags</arg_key>\n<arg_value>[]</arg_value>",
			wantToolCall: {
				function: {
					name:      "test",
					arguments: args("{\"tags\": []}"),
				},
			},
		},
		{
			name: "anyOf array or string - with array of objects",
			tools: [
				tool("TodoWrite", {
					"todos": {anyOf: [{type: ["array"]}, {type: ["string"]}]},
				}),
			],
			// <tool_call>TodoWrite
			// <arg_key>todos</arg_key>
			// <arg_value>[{"content": "Set up HTML file and basic structure", "id": "1", "priority": "high", "status": "pending"}, {"content": "Create 3D scene with Three.js", "id": "2", "priority": "high", "status": "pending"}, {"content": "Implement terrain generation with blocks", "id": "3", "priority": "high", "status": "pending"}, {"content": "Add player controls (movement, camera)", "id": "4", "priority": "high", "status": "pending"}, {"content": "Implement block placement/destruction", "id": "5", "priority": "medium", "status": "pending"}, {"content": "Add lighting and textures", "id": "6", "priority": "medium", "status": "pending"}, {"content": "Test and optimize performance", "id": "7", "priority": "low", "status": "pending"}]</arg_value>
			// </tool_call>
			rawToolCall: "TodoWrite\n<arg_key>todos</arg_key>\n<arg_value>[{\"content\": \"task 1\", \"status\": \"pending\", \"priority\": \"high\", \"id\": \"1\"}, {\"content\": \"task 2\", \"status\": \"completed\", \"priority\": \"low\", \"id\": \"2\"}]</arg_value>",
			wantToolCall: {
				function: {
					name:      "TodoWrite",
					arguments: args("{\"todos\": [{\"content\": \"task 1\", \"id\": \"1\", \"priority\": \"high\", \"status\": \"pending\"}, {\"content\": \"task 2\", \"id\": \"2\", \"priority\": \"low\", \"status\": \"completed\"}]}"),
				},
			},
		},
		{
			name: "anyOf array or string - with plain string",
			tools: [
				tool("TodoWrite", {
					"todos": {type: ["array", "string"]},
				}),
			],
			rawToolCall: "TodoWrite\n<arg_key>todos</arg_key>\n<arg_value>Error: could not load todos</arg_value>",
			wantToolCall: {
				function: {
					name:      "TodoWrite",
					arguments: args("{\"todos\": \"Error: could not load todos\"}"),
				},
			},
		},
		{
			name:  "unclosed arg_value at end",
			tools: [],
			rawToolCall: "get-weather\n<arg_key>city</arg_key>\n<arg_value>Paris",
			wantToolCall: {
				function: {
					name:      "get-weather",
					arguments: args("{\"city\": \"Paris\"}"),
				},
			},
		},
		{
			name:  "unclosed arg_value before next arg_key",
			tools: [],
			rawToolCall: "get-weather\n<arg_key>city</arg_key>\n<arg_value>Paris<arg_key>unit</arg_key>\n<arg_value>celsius</arg_value>",
			wantToolCall: {
				function: {
					name:      "get-weather",
					arguments: args("{\"city\": \"Paris\", \"unit\": \"celsius\"}"),
				},
			},
		},
		{
			name:  "multiple unclosed arg_values",
			tools: [],
			rawToolCall: "get-weather\n<arg_key>city</arg_key>\n<arg_value>Paris<arg_key>unit</arg_key>\n<arg_value>celsius",
			wantToolCall: {
				function: {
					name:      "get-weather",
					arguments: args("{\"city\": \"Paris\", \"unit\": \"celsius\"}"),
				},
			},
		},
		{
			name:        "unopened arg_value after arg_key",
			tools:       [],
			rawToolCall: "get-weather\n<arg_key>city</arg_key>\nNew York</arg_value>\n<arg_key>unit</arg_key>\ncelsius</arg_value>",
			wantToolCall: {
				function: {
					name:      "get-weather",
					arguments: args("{\"city\": \"New York\", \"unit\": \"celsius\"}"),
				},
			},
		},
		{
			name:        "mixed unopened and valid arg_values",
			tools:       [],
			rawToolCall: "get-weather\n<arg_key>city</arg_key>\n<arg_value>Paris</arg_value>\n<arg_key>unit</arg_key>\ncelsius</arg_value>",
			wantToolCall: {
				function: {
					name:      "get-weather",
					arguments: args("{\"city\": \"Paris\", \"unit\": \"celsius\"}"),
				},
			},
		},
	];

export const repair = [
		{
			name:  "already valid",
			input: "func<arg_key>k</arg_key><arg_value>v</arg_value>",
			want:  "func<arg_key>k</arg_key><arg_value>v</arg_value>",
		},
		{
			name:  "missing </arg_value> at end",
			input: "func<arg_key>k</arg_key><arg_value>v",
			want:  "func<arg_key>k</arg_key><arg_value>v</arg_value>",
		},
		{
			name:  "missing </arg_value> before next arg_key",
			input: "func<arg_key>a</arg_key><arg_value>1<arg_key>b</arg_key><arg_value>2</arg_value>",
			want:  "func<arg_key>a</arg_key><arg_value>1</arg_value><arg_key>b</arg_key><arg_value>2</arg_value>",
		},
		{
			name:  "no tags at all",
			input: "just plain text",
			want:  "just plain text",
		},
		{
			name:  "missing <arg_value> open tag",
			input: "func<arg_key>k</arg_key>v</arg_value>",
			want:  "func<arg_key>k</arg_key><arg_value>v</arg_value>",
		},
		{
			name:  "missing </arg_key> close tag",
			input: "func<arg_key>k<arg_value>v</arg_value>",
			want:  "func<arg_key>k</arg_key><arg_value>v</arg_value>",
		},
		{
			name:  "missing <arg_key> open tag",
			input: "func k</arg_key><arg_value>v</arg_value>",
			want:  "func<arg_key>k</arg_key><arg_value>v</arg_value>",
		},
		{
			name:  "all closing tags missing",
			input: "func<arg_key>k<arg_value>v",
			want:  "func<arg_key>k</arg_key><arg_value>v</arg_value>",
		},
		{
			name:  "all opening tags missing",
			input: "func k</arg_key>v</arg_value>",
			want:  "func<arg_key>k</arg_key><arg_value>v</arg_value>",
		},
		{
			name:  "multiple pairs with mixed missing tags",
			input: "func<arg_key>a</arg_key>1</arg_value><arg_key>b<arg_value>2</arg_value>",
			want:  "func<arg_key>a</arg_key><arg_value>1</arg_value><arg_key>b</arg_key><arg_value>2</arg_value>",
		},
		{
			name:  "newlines preserved",
			input: "func\n<arg_key>city</arg_key>\nNew York</arg_value>",
			want:  "func\n<arg_key>city</arg_key><arg_value>\nNew York</arg_value>",
		},
	];
