/** Ported from Ollama's model/parsers/olmo3_test.go (tables as data). */
import { testArgs } from './helpers.js';

export const parse = [
		{
			name:            "simple content",
			input:           "Hello, how can I help you?",
			expectedContent: "Hello, how can I help you?",
		},
		{
			name:  "simple tool call",
			input: "<function_calls>get_weather(location=\"San Francisco\")</function_calls>",
			expectedCalls: [
				{
					function: {
						name:      "get_weather",
						arguments: testArgs({"location": "San Francisco"}),
					},
				},
			],
		},
		{
			name:            "content then tool call",
			input:           "Let me check the weather.<function_calls>get_weather(location=\"NYC\")</function_calls>",
			expectedContent: "Let me check the weather.",
			expectedCalls: [
				{
					function: {
						name:      "get_weather",
						arguments: testArgs({"location": "NYC"}),
					},
				},
			],
		},
		{
			name:  "tool call with multiple arguments",
			input: "<function_calls>book_flight(from=\"SFO\", to=\"NYC\", date=\"2024-01-15\")</function_calls>",
			expectedCalls: [
				{
					function: {
						name: "book_flight",
						arguments: testArgs({
							"from": "SFO",
							"to":   "NYC",
							"date": "2024-01-15",
						}),
					},
				},
			],
		},
		{
			name: "multiple tool calls",
			input: "<function_calls>get_weather(location=\"San Francisco\")\nget_weather(location=\"New York\")</function_calls>",
			expectedCalls: [
				{
					function: {
						index:     0,
						name:      "get_weather",
						arguments: testArgs({"location": "San Francisco"}),
					},
				},
				{
					function: {
						index:     1,
						name:      "get_weather",
						arguments: testArgs({"location": "New York"}),
					},
				},
			],
		},
		{
			name:  "tool call with numeric argument",
			input: "<function_calls>set_temperature(value=72)</function_calls>",
			expectedCalls: [
				{
					function: {
						name:      "set_temperature",
						arguments: testArgs({"value": 72}),
					},
				},
			],
		},
		{
			name:  "tool call with float argument",
			input: "<function_calls>set_price(amount=19.99)</function_calls>",
			expectedCalls: [
				{
					function: {
						name:      "set_price",
						arguments: testArgs({"amount": 19.99}),
					},
				},
			],
		},
		{
			name:  "tool call with boolean argument",
			input: "<function_calls>toggle_setting(enabled=true)</function_calls>",
			expectedCalls: [
				{
					function: {
						name:      "toggle_setting",
						arguments: testArgs({"enabled": true}),
					},
				},
			],
		},
		{
			name:  "tool call with null argument",
			input: "<function_calls>clear_value(field=null)</function_calls>",
			expectedCalls: [
				{
					function: {
						name:      "clear_value",
						arguments: testArgs({"field": null}),
					},
				},
			],
		},
		{
			name:  "tool call with array argument",
			input: "<function_calls>process_items(items=[\"apple\", \"banana\", \"cherry\"])</function_calls>",
			expectedCalls: [
				{
					function: {
						name:      "process_items",
						arguments: testArgs({"items": ["apple", "banana", "cherry"]}),
					},
				},
			],
		},
		{
			name:  "tool call with dict argument",
			input: "<function_calls>update_config(settings={\"theme\": \"dark\", \"fontSize\": 14})</function_calls>",
			expectedCalls: [
				{
					function: {
						name: "update_config",
						arguments: testArgs({
							"settings": {
								"theme":    "dark",
								"fontSize": 14,
							},
						}),
					},
				},
			],
		},
		{
			name:  "tool call with nested dict",
			input: "<function_calls>create_request(data={\"user\": {\"name\": \"John\", \"age\": 30}, \"active\": true})</function_calls>",
			expectedCalls: [
				{
					function: {
						name: "create_request",
						arguments: testArgs({
							"data": {
								"user": {
									"name": "John",
									"age":  30,
								},
								"active": true,
							},
						}),
					},
				},
			],
		},
		{
			name:  "tool call with no arguments",
			input: "<function_calls>get_current_time()</function_calls>",
			expectedCalls: [
				{
					function: {
						name:      "get_current_time",
						arguments: testArgs({}),
					},
				},
			],
		},
		{
			name:  "tool call with single quotes",
			input: "<function_calls>search(query='hello world')</function_calls>",
			expectedCalls: [
				{
					function: {
						name:      "search",
						arguments: testArgs({"query": "hello world"}),
					},
				},
			],
		},
		{
			name:  "tool call with escaped quotes",
			input: "<function_calls>search(query=\"say \\\"hello\\\"\")</function_calls>",
			expectedCalls: [
				{
					function: {
						name:      "search",
						arguments: testArgs({"query": "say \"hello\""}),
					},
				},
			],
		},
		{
			name:  "tool call with mixed argument types",
			input: "<function_calls>create_user(name=\"John\", age=30, active=true)</function_calls>",
			expectedCalls: [
				{
					function: {
						name: "create_user",
						arguments: testArgs({
							"name":   "John",
							"age":    30,
							"active": true,
						}),
					},
				},
			],
		},
	];

export const streaming = [
		{
			name:            "streaming content",
			chunks:          ["Hello, ", "how ", "can I help?"],
			expectedContent: "Hello, how can I help?",
		},
		{
			name:   "streaming tool call",
			chunks: ["<function_", "calls>get_weather", "(location=\"SF\")", "</function_calls>"],
			expectedCalls: [
				{
					function: {
						name:      "get_weather",
						arguments: testArgs({"location": "SF"}),
					},
				},
			],
		},
		{
			name:            "streaming content then tool call",
			chunks:          ["Let me check.", "<function_calls>", "get_weather(location=\"NYC\")", "</function_calls>"],
			expectedContent: "Let me check.",
			expectedCalls: [
				{
					function: {
						name:      "get_weather",
						arguments: testArgs({"location": "NYC"}),
					},
				},
			],
		},
		{
			name:   "tool call tag split across chunks",
			chunks: ["<func", "tion_calls>test()</function_calls>"],
			expectedCalls: [
				{
					function: {
						name:      "test",
						arguments: testArgs({}),
					},
				},
			],
		},
	];

export const functionCalls = [
		{
			name:  "simple call",
			input: "get_weather(location=\"SF\")",
			expected: [
				{
					function: {
						name:      "get_weather",
						arguments: testArgs({"location": "SF"}),
					},
				},
			],
		},
		{
			name:  "multiple args",
			input: "send_email(to=\"user@example.com\", subject=\"Hello\", body=\"Test message\")",
			expected: [
				{
					function: {
						name: "send_email",
						arguments: testArgs({
							"to":      "user@example.com",
							"subject": "Hello",
							"body":    "Test message",
						}),
					},
				},
			],
		},
		{
			name: "multiple calls with newlines",
			input: "get_weather(location=\"SF\")\nget_time(timezone=\"PST\")",
			expected: [
				{
					function: {
						name:      "get_weather",
						arguments: testArgs({"location": "SF"}),
					},
				},
				{
					function: {
						name:      "get_time",
						arguments: testArgs({"timezone": "PST"}),
					},
				},
			],
		},
		{
			name:     "empty input",
			input:    "",
			expected: null,
		},
		{
			name:     "whitespace only",
			input:    "   \n   ",
			expected: null,
		},
	];

/** [name, input, expected] */
export const values: [string, string, unknown][] = [
		["string double quotes", "\"hello\"", "hello"],
		["string single quotes", "'hello'", "hello"],
		["integer", "42", 42],
		["negative integer", "-10", -10],
		["float", "3.14", 3.14],
		["boolean true", "true", true],
		["boolean True", "True", true],
		["boolean false", "false", false],
		["null", "null", null],
		["None", "None", null],
		["empty array", "[]", []],
		["array with strings", "[\"a\", \"b\"]", ["a", "b"]],
		["array with numbers", "[1, 2, 3]", [1, 2, 3]],
		["empty object", "{}", {}],
		["simple object", "{\"name\": \"John\"}", {"name": "John"}],
		["object with number", "{\"age\": 30}", {"age": 30}],
		["object with multiple keys", "{\"a\": 1, \"b\": 2}", {"a": 1, "b": 2}],
	];
