/** Ported from Ollama's model/parsers/cogito_test.go (tables as data). */
import { NewToolCallFunctionArguments, testArgs, testPropsMap } from './helpers.js';

export const parse = [
		{
			name:             "simple_content",
			input:            "This is a simple response.",
			expectedContent:  "This is a simple response.",
			expectedThinking: "",
		},
		{
			name:             "thinking_only",
			input:            "This is thinking content.</think>This is response content.",
			expectedContent:  "This is response content.",
			expectedThinking: "This is thinking content.",
		},
		{
			name: "tool_call_simple",
			input: "<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>get_weather\n" + "```json\n" + "{\"location\":\"Paris\"}\n" + "```" + "<｜tool▁call▁end｜><｜tool▁calls▁end｜>",
			expectedToolCalls: [
				{
					function: {
						index: 0,
						name:  "get_weather",
						arguments: testArgs({
							"location": "Paris",
						}),
					},
				},
			],
			tools: [
				{
					type: "function",
					function: {
						name: "get_weather",
						parameters: {
							properties: testPropsMap({
								"location": {type: ["string"]},
							}),
						},
					},
				},
			],
		},
		{
			name: "thinking_with_tool_call",
			input: "I need to check the weather.</think><｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>get_weather\n" + "```json\n" + "{\"location\":\"Paris\"}\n" + "```" + "<｜tool▁call▁end｜><｜tool▁calls▁end｜>",
			expectedContent:  "I need to check the weather.</think>",
			expectedThinking: "", // No thinking when tools are present (Cogito-specific behavior)
			expectedToolCalls: [
				{
					function: {
						name: "get_weather",
						arguments: testArgs({
							"location": "Paris",
						}),
					},
				},
			],
			tools: [
				{
					type: "function",
					function: {
						name: "get_weather",
						parameters: {
							properties: testPropsMap({
								"location": {type: ["string"]},
							}),
						},
					},
				},
			],
		},
		{
			name: "multiple_tool_calls",
			input: "<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>get_weather\n" + "```json\n" + "{\"location\":\"Paris\"}\n" + "```" + "<｜tool▁call▁end｜>\n<｜tool▁call▁begin｜>function<｜tool▁sep｜>get_weather\n" + "```json\n" + "{\"location\":\"London\"}\n" + "```" + "<｜tool▁call▁end｜><｜tool▁calls▁end｜>",
			expectedToolCalls: [
				{
					function: {
						name: "get_weather",
						arguments: testArgs({
							"location": "Paris",
						}),
					},
				},
				{
					function: {
						index: 1,
						name:  "get_weather",
						arguments: testArgs({
							"location": "London",
						}),
					},
				},
			],
			tools: [
				{
					type: "function",
					function: {
						name: "get_weather",
						parameters: {
							properties: testPropsMap({
								"location": {type: ["string"]},
							}),
						},
					},
				},
			],
		},
		{
			name: "complex_tool_arguments",
			input: "<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>process_data\n" + "```json\n" + "{\"items\":[\"item1\",\"item2\"],\"config\":{\"enabled\":true,\"threshold\":0.95},\"count\":42}\n" + "```" + "<｜tool▁call▁end｜><｜tool▁calls▁end｜>",
			expectedToolCalls: [
				{
					function: {
						name: "process_data",
						arguments: testArgs({
							"items":  ["item1", "item2"],
							"config": {"enabled": true, "threshold": 0.95},
							"count":  42.0,
						}),
					},
				},
			],
		},
		{
			name:             "tool_output_parsing",
			input:            "<｜tool▁outputs▁begin｜><｜tool▁output▁begin｜>{\"temperature\": 22, \"condition\": \"sunny\"}<｜tool▁output▁end｜><｜tool▁outputs▁end｜>",
			expectedContent:  "",
			expectedThinking: "",
		},
		{
			name: "thinking_with_multiline_content",
			input: "This is line 1\nThis is line 2\nThis is line 3</think>Final response here.",
			expectedContent:  "Final response here.",
			expectedThinking: "This is line 1\nThis is line 2\nThis is line 3",
		},
		{
			name:             "no_thinking_simple",
			input:            "This is content.",
			expectedContent:  "This is content.",
			expectedThinking: "",
		},
		{
			name:            "prefill_content_only",
			input:           "Continuing from previous content.",
			expectedContent: "Continuing from previous content.",
			lastMessage: {
				role:    "assistant",
				content: "Previous content",
			},
		},
		{
			name:             "prefill_with_thinking",
			input:            "Continuing thinking</think>Continuing content.",
			expectedContent:  "Continuing content.",
			expectedThinking: "Continuing thinking",
			lastMessage: {
				role: "assistant",
			},
		},
		// Edge cases
		{
			name:             "nested_think_tags_in_thinking",
			input:            "I'm thinking <think>nested</think> more thinking</think>Final content.",
			expectedContent:  "more thinking</think>Final content.",
			expectedThinking: "I'm thinking <think>nested",
		},
		{
			name:             "multiple_think_close_tags",
			input:            "First thinking</think>Content</think>More content.",
			expectedContent:  "Content</think>More content.",
			expectedThinking: "First thinking",
		},
		{
			name:             "empty_thinking_content",
			input:            "</think>Just content here.",
			expectedContent:  "</think>Just content here.",
			expectedThinking: "",
		},
		{
			name:             "thinking_disabled_with_think_tags",
			input:            "Content with </think> tags should be treated as content.",
			expectedContent:  "Content with </think> tags should be treated as content.",
			expectedThinking: "",
			lastMessage: {
				role:    "assistant",
				content: "existing", // Forces non-thinking mode
			},
		},
	];

export const streamingEdgeCases = [
		{
			name: "split_thinking_tag",
			chunks: [
				"This is thinking content</thi",
				"nk>This is content.",
			],
			expectedContent:    "This is content.",
			expectedThinking:   "This is thinking content",
			hasThinkingSupport: true,
		},
		{
			name: "split_tool_calls_begin_tag_conservative_parsing",
			chunks: [
				"Content before<｜tool▁calls▁beg",
				"in｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>test\n```json\n{}\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜>",
			],
			// Parser is conservative - treats incomplete tags as content
			expectedContent:    "Content before<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>test\n```json\n{}\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜>",
			expectedToolCalls:  null,
			hasThinkingSupport: false,
		},
		{
			name: "thinking_disabled_with_split_tags",
			chunks: [
				"Content with </thi",
				"nk> should be treated as content.",
			],
			expectedContent:    "Content with </think> should be treated as content.",
			expectedThinking:   "",
			hasThinkingSupport: false,
		},
	];

export const toolCallContent = [
		{
			name: "valid_tool_call_standard_format",
			content: "function<｜tool▁sep｜>get_weather\n" + "```json\n" + "{\"location\":\"Paris\"}\n" + "```",
			expected: {
				function: {
					name: "get_weather",
					arguments: testArgs({
						"location": "Paris",
					}),
				},
			},
			expectError: false,
		},
		{
			name: "valid_tool_call_complex_args",
			content: "function<｜tool▁sep｜>process_data\n" + "```json\n" + "{\"items\":[\"item1\",\"item2\"],\"config\":{\"enabled\":true},\"count\":42}\n" + "```",
			expected: {
				function: {
					name: "process_data",
					arguments: testArgs({
						"items":  ["item1", "item2"],
						"config": {"enabled": true},
						"count":  42.0,
					}),
				},
			},
			expectError: false,
		},
		{
			name: "valid_tool_call_empty_args",
			content: "function<｜tool▁sep｜>no_args_tool\n" + "```json\n" + "{}\n" + "```",
			expected: {
				function: {
					name:      "no_args_tool",
					arguments: NewToolCallFunctionArguments(),
				},
			},
			expectError: false,
		},
		{
			name:        "missing_separator",
			content:     "functionget_weather" + "```json\n" + "{\"location\":\"Paris\"}" + "\n```",
			expected:    {},
			expectError: true,
		},
		{
			name:        "invalid_function_type",
			content:     "not_function<｜tool▁sep｜>get_weather" + "```json\n" + "{\"location\":\"Paris\"}" + "\n```",
			expected:    {},
			expectError: true,
		},
		{
			name:        "missing_json_block_start",
			content:     "function<｜tool▁sep｜>get_weather{\"location\":\"Paris\"}" + "```",
			expected:    {},
			expectError: true,
		},
		{
			name:        "missing_json_block_end",
			content:     "function<｜tool▁sep｜>get_weather" + "```json\n" + "{\"location\":\"Paris\"}",
			expected:    {},
			expectError: true,
		},
		{
			name:        "invalid_json",
			content:     "function<｜tool▁sep｜>get_weather" + "```json\n" + "{location:Paris}" + "\n```",
			expected:    {},
			expectError: true,
		},
		{
			name:        "empty_function_type",
			content:     "<｜tool▁sep｜>get_weather" + "```json\n" + "{\"location\":\"Paris\"}" + "\n```",
			expected:    {},
			expectError: true,
		},
		{
			name: "tool_with_spaces_in_name",
			content: "function<｜tool▁sep｜>  get_weather  \n" + "```json\n" + "{\"location\":\"Paris\"}\n" + "```",
			expected: {
				function: {
					name: "get_weather",
					arguments: testArgs({
						"location": "Paris",
					}),
				},
			},
			expectError: false,
		},
		{
			name: "tool_with_multiline_json",
			content: "function<｜tool▁sep｜>get_weather\n" + "```json\n" + "{\n  \"location\": \"Paris\",\n  \"units\": \"metric\"\n}\n" + "```",
			expected: {
				function: {
					name: "get_weather",
					arguments: testArgs({
						"location": "Paris",
						"units":    "metric",
					}),
				},
			},
			expectError: false,
		},
		{
			name: "tool_with_nested_objects",
			content: "function<｜tool▁sep｜>complex_tool\n" + "```json\n" + "{\"nested\":{\"deep\":{\"value\":123}}}\n" + "```",
			expected: {
				function: {
					name: "complex_tool",
					arguments: testArgs({
						"nested": {
							"deep": {
								"value": 123.0,
							},
						},
					}),
				},
			},
			expectError: false,
		},
	];
