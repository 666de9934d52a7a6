/** Ported from Ollama's model/parsers/functiongemma_test.go (tables as data). */
import { NewToolCallFunctionArguments, testArgs, testPropsMap } from './helpers.js';

export const parse = [
		{
			name:          "plain_content",
			chunks:        ["H", "e", "l", "l", "o", ",", " ", "w", "o", "r", "l", "d", "!"],
			expectedCalls: null,
			expectedText:  "Hello, world!",
		},
		{
			name: "simple_tool_call",
			chunks: [
				"<", "start", "_", "function", "_", "call", ">",
				"call", ":", "get", "_", "weather", "{",
				"city", ":", "<", "escape", ">", "Paris", "<", "escape", ">",
				"}", "<", "end", "_", "function", "_", "call", ">",
			],
			tools: [
				{
					type: "function",
					function: {
						name: "get_weather",
						parameters: {
							type: "object",
							properties: testPropsMap({
								"city": {type: ["string"]},
							}),
						},
					},
				},
			],
			expectedCalls: [
				{
					function: {
						name:      "get_weather",
						arguments: testArgs({"city": "Paris"}),
					},
				},
			],
			expectedText: "",
		},
		{
			name: "content_before_tool_call",
			chunks: [
				"L", "et", " ", "me", " ", "check", ".",
				"<", "start", "_", "function", "_", "call", ">",
				"call", ":", "get", "_", "weather", "{",
				"city", ":", "<", "escape", ">", "Paris", "<", "escape", ">",
				"}", "<", "end", "_", "function", "_", "call", ">",
			],
			expectedCalls: [
				{
					function: {
						name:      "get_weather",
						arguments: testArgs({"city": "Paris"}),
					},
				},
			],
			expectedText: "Let me check.",
		},
		{
			name: "numeric_arguments",
			chunks: [
				"<", "start", "_", "function", "_", "call", ">",
				"call", ":", "add", "{",
				"a", ":", "1", ",", "b", ":", "2",
				"}", "<", "end", "_", "function", "_", "call", ">",
			],
			expectedCalls: [
				{
					function: {
						name:      "add",
						arguments: testArgs({"a": 1, "b": 2}),
					},
				},
			],
			expectedText: "",
		},
		{
			name: "boolean_arguments",
			chunks: [
				"<", "start", "_", "function", "_", "call", ">",
				"call", ":", "set", "_", "flag", "{",
				"enabled", ":", "true", ",", "verbose", ":", "false",
				"}", "<", "end", "_", "function", "_", "call", ">",
			],
			expectedCalls: [
				{
					function: {
						name:      "set_flag",
						arguments: testArgs({"enabled": true, "verbose": false}),
					},
				},
			],
			expectedText: "",
		},
		{
			name: "multiple_tool_calls",
			chunks: [
				"<", "start", "_", "function", "_", "call", ">",
				"call", ":", "get", "_", "weather", "{",
				"city", ":", "<", "escape", ">", "Paris", "<", "escape", ">",
				"}", "<", "end", "_", "function", "_", "call", ">",
				"<", "start", "_", "function", "_", "call", ">",
				"call", ":", "get", "_", "weather", "{",
				"city", ":", "<", "escape", ">", "London", "<", "escape", ">",
				"}", "<", "end", "_", "function", "_", "call", ">",
			],
			expectedCalls: [
				{
					function: {
						index:     0,
						name:      "get_weather",
						arguments: testArgs({"city": "Paris"}),
					},
				},
				{
					function: {
						index:     1,
						name:      "get_weather",
						arguments: testArgs({"city": "London"}),
					},
				},
			],
			expectedText: "",
		},
		{
			name: "array_argument",
			chunks: [
				"<", "start", "_", "function", "_", "call", ">",
				"call", ":", "process", "{",
				"items", ":", "[",
				"<", "escape", ">", "a", "<", "escape", ">", ",",
				"<", "escape", ">", "b", "<", "escape", ">", ",",
				"<", "escape", ">", "c", "<", "escape", ">",
				"]",
				"}", "<", "end", "_", "function", "_", "call", ">",
			],
			expectedCalls: [
				{
					function: {
						name:      "process",
						arguments: testArgs({"items": ["a", "b", "c"]}),
					},
				},
			],
			expectedText: "",
		},
		{
			name: "object_argument",
			chunks: [
				"<", "start", "_", "function", "_", "call", ">",
				"call", ":", "update", "{",
				"data", ":", "{",
				"name", ":", "<", "escape", ">", "test", "<", "escape", ">", ",",
				"value", ":", "42",
				"}",
				"}", "<", "end", "_", "function", "_", "call", ">",
			],
			expectedCalls: [
				{
					function: {
						name: "update",
						arguments: testArgs({
							"data": {"name": "test", "value": 42},
						}),
					},
				},
			],
			expectedText: "",
		},
		{
			name:          "empty_input",
			chunks:        [],
			expectedCalls: null,
			expectedText:  "",
		},
		{
			name: "tool_call_with_no_arguments",
			chunks: [
				"<", "start", "_", "function", "_", "call", ">",
				"call", ":", "get", "_", "time", "{", "}",
				"<", "end", "_", "function", "_", "call", ">",
			],
			expectedCalls: [
				{
					function: {
						name:      "get_time",
						arguments: NewToolCallFunctionArguments(),
					},
				},
			],
			expectedText: "",
		},
		{
			name: "content_with_angle_brackets",
			chunks: [
				"The", " ", "result", " ", "is", " ", "a", " ", "<", "value", ">", " ", "tag",
			],
			expectedCalls: null,
			expectedText:  "The result is a <value> tag",
		},
		{
			name: "float_argument",
			chunks: [
				"<", "start", "_", "function", "_", "call", ">",
				"call", ":", "set", "_", "temp", "{",
				"value", ":", "3", ".", "14",
				"}", "<", "end", "_", "function", "_", "call", ">",
			],
			expectedCalls: [
				{
					function: {
						name:      "set_temp",
						arguments: testArgs({"value": 3.14}),
					},
				},
			],
			expectedText: "",
		},
		{
			name: "content_after_tool_call",
			chunks: [
				"<", "start", "_", "function", "_", "call", ">",
				"call", ":", "test", "{", "}",
				"<", "end", "_", "function", "_", "call", ">",
				"Done", "!",
			],
			expectedCalls: [
				{
					function: {
						name:      "test",
						arguments: NewToolCallFunctionArguments(),
					},
				},
			],
			expectedText: "Done!",
		},
		{
			name: "unicode_content_and_arguments",
			chunks: [
				"こんにちは", " ",
				"<", "start", "_", "function", "_", "call", ">",
				"call", ":", "greet", "{",
				"name", ":", "<", "escape", ">", "日本語", "<", "escape", ">",
				"}", "<", "end", "_", "function", "_", "call", ">",
			],
			expectedCalls: [
				{
					function: {
						name:      "greet",
						arguments: testArgs({"name": "日本語"}),
					},
				},
			],
			expectedText: "こんにちは ",
		},
		{
			name: "multiple_params_sorted",
			chunks: [
				"<", "start", "_", "function", "_", "call", ">",
				"call", ":", "search", "{",
				"query", ":", "<", "escape", ">", "test", "<", "escape", ">", ",",
				"limit", ":", "10", ",",
				"offset", ":", "0",
				"}", "<", "end", "_", "function", "_", "call", ">",
			],
			expectedCalls: [
				{
					function: {
						name: "search",
						arguments: testArgs({
							"query":  "test",
							"limit":  10,
							"offset": 0,
						}),
					},
				},
			],
			expectedText: "",
		},
		{
			name: "nested_object_argument",
			chunks: [
				"<", "start", "_", "function", "_", "call", ">",
				"call", ":", "create", "{",
				"config", ":", "{",
				"settings", ":", "{",
				"enabled", ":", "true", ",",
				"name", ":", "<", "escape", ">", "test", "<", "escape", ">",
				"}",
				"}",
				"}", "<", "end", "_", "function", "_", "call", ">",
			],
			expectedCalls: [
				{
					function: {
						name: "create",
						arguments: testArgs({
							"config": {
								"settings": {
									"enabled": true,
									"name":    "test",
								},
							},
						}),
					},
				},
			],
			expectedText: "",
		},
		{
			name: "partial_start_tag_in_content",
			chunks: [
				"Hello", " ", "<", "start", " ", "world",
			],
			expectedCalls: null,
			expectedText:  "Hello <start world",
		},
		{
			name: "parallel_tool_calls",
			chunks: [
				"<", "start", "_", "function", "_", "call", ">",
				"call", ":", "get", "_", "weather", "{",
				"city", ":", "<", "escape", ">", "Paris", "<", "escape", ">",
				"}", "<", "end", "_", "function", "_", "call", ">",
				"<", "start", "_", "function", "_", "call", ">",
				"call", ":", "get", "_", "time", "{",
				"timezone", ":", "<", "escape", ">", "UTC", "<", "escape", ">",
				"}", "<", "end", "_", "function", "_", "call", ">",
			],
			expectedCalls: [
				{
					function: {
						index:     0,
						name:      "get_weather",
						arguments: testArgs({"city": "Paris"}),
					},
				},
				{
					function: {
						index:     1,
						name:      "get_time",
						arguments: testArgs({"timezone": "UTC"}),
					},
				},
			],
			expectedText: "",
		},
		{
			name: "content_between_tool_calls",
			chunks: [
				"<", "start", "_", "function", "_", "call", ">",
				"call", ":", "first", "{", "}",
				"<", "end", "_", "function", "_", "call", ">",
				"Some", " ", "text", " ", "here",
				"<", "start", "_", "function", "_", "call", ">",
				"call", ":", "second", "{", "}",
				"<", "end", "_", "function", "_", "call", ">",
			],
			expectedCalls: [
				{
					function: {
						index:     0,
						name:      "first",
						arguments: NewToolCallFunctionArguments(),
					},
				},
				{
					function: {
						index:     1,
						name:      "second",
						arguments: NewToolCallFunctionArguments(),
					},
				},
			],
			expectedText: "Some text here",
		},
	];
