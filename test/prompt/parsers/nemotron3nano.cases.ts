/** Ported from Ollama's model/parsers/nemotron3nano_test.go (tables as data). */
import { NewToolCallFunctionArguments, testArgs } from './helpers.js';

export const parse = [
		{
			name:             "thinking then content",
			input:            "Let me think about this...</think>\nHere is my answer.",
			thinkValue:       true,
			expectedThinking: "Let me think about this...",
			expectedContent:  "Here is my answer.",
		},
		{
			name:             "thinking with newlines",
			input:            "Step 1: Analyze\nStep 2: Process\nStep 3: Conclude</think>\nThe answer is 42.",
			thinkValue:       true,
			expectedThinking: "Step 1: Analyze\nStep 2: Process\nStep 3: Conclude",
			expectedContent:  "The answer is 42.",
		},
		{
			name:             "thinking then tool call",
			input:            "I should check the weather...</think>\n<tool_call>\n<function=get_weather>\n<parameter=city>\nParis\n</parameter>\n</function>\n</tool_call>",
			thinkValue:       true,
			expectedThinking: "I should check the weather...",
			expectedCalls: [
				{
					function: {
						name:      "get_weather",
						arguments: testArgs({"city": "Paris"}),
					},
				},
			],
		},
		{
			name:             "thinking content then tool call",
			input:            "Let me think...</think>\nI'll check for you.\n<tool_call>\n<function=search>\n<parameter=query>\ntest\n</parameter>\n</function>\n</tool_call>",
			thinkValue:       true,
			expectedThinking: "Let me think...",
			expectedContent:  "I'll check for you.",
			expectedCalls: [
				{
					function: {
						name:      "search",
						arguments: testArgs({"query": "test"}),
					},
				},
			],
		},
		{
			name:             "empty thinking block - immediate close",
			input:            "</think>\nHere is my answer.",
			thinkValue:       true,
			expectedThinking: "",
			expectedContent:  "Here is my answer.",
		},
		{
			name:            "thinking disabled but model outputs think close anyway",
			input:           "</think>\nSome content after spurious tag.",
			thinkValue:      false,
			expectedContent: "</think>\nSome content after spurious tag.",
		},
		{
			name:             "thinking with only whitespace after close tag",
			input:            "My thoughts...</think>   \n\t\n   Content here.",
			thinkValue:       true,
			expectedThinking: "My thoughts...",
			expectedContent:  "Content here.",
		},
		{
			name:             "leading open think tag is ignored",
			input:            "<think>\nLet me think about this...</think>\nHere is my answer.",
			thinkValue:       true,
			expectedThinking: "Let me think about this...",
			expectedContent:  "Here is my answer.",
		},
		{
			name:             "empty explicit think block is ignored",
			input:            "<think></think>\nHere is my answer.",
			thinkValue:       true,
			expectedThinking: "",
			expectedContent:  "Here is my answer.",
		},
	];

export const streaming = [
		{
			name:             "streaming thinking then content - granular",
			chunks:           ["Let", " me", " th", "ink", " about", " this", "...", "<", "/", "think", ">", "\n", "Here", " is", " my", " answer", "."],
			thinkValue:       true,
			expectedThinking: "Let me think about this...",
			expectedContent:  "Here is my answer.",
		},
		{
			name:             "streaming thinking with newlines - granular",
			chunks:           ["Step", " 1", ":", " Ana", "lyze\n", "Step", " 2", ":", " Pro", "cess", "</", "thi", "nk>", "\n", "The", " ans", "wer."],
			thinkValue:       true,
			expectedThinking: "Step 1: Analyze\nStep 2: Process",
			expectedContent:  "The answer.",
		},
		{
			name:             "thinking close tag split character by character",
			chunks:           ["I", "'", "m", " ", "t", "h", "i", "n", "k", "i", "n", "g", ".", ".", ".", "<", "/", "t", "h", "i", "n", "k", ">", "\n", "D", "o", "n", "e", "!"],
			thinkValue:       true,
			expectedThinking: "I'm thinking...",
			expectedContent:  "Done!",
		},
		{
			name:             "multiple whitespace after think tag - separate chunks",
			chunks:           ["Thinking...", "</think>", "\n", "\n", " ", "Content here."],
			thinkValue:       true,
			expectedThinking: "Thinking...",
			expectedContent:  "Content here.",
		},
		{
			name:             "thinking then content then tool call - streaming",
			chunks:           ["Ana", "lyzing", " your", " request", "...", "</", "think", ">\n", "I'll", " check", " that", " for", " you", ".", "\n", "<tool", "_call", ">\n", "<function", "=search", ">\n", "<parameter", "=query", ">\n", "test", " query", "\n</", "parameter", ">\n", "</function", ">\n", "</tool", "_call", ">"],
			thinkValue:       true,
			expectedThinking: "Analyzing your request...",
			expectedContent:  "I'll check that for you.",
			expectedCalls: [
				{
					function: {
						name:      "search",
						arguments: testArgs({"query": "test query"}),
					},
				},
			],
		},
		{
			name:             "empty thinking block",
			chunks:           ["</think>", "\n", "Just content."],
			thinkValue:       true,
			expectedThinking: "",
			expectedContent:  "Just content.",
		},
		{
			name:             "tool call immediately after think close - no content",
			chunks:           ["Analyzing...", "</think>", "\n", "<tool_call>", "\n<function=test>\n</function>\n", "</tool_call>"],
			thinkValue:       true,
			expectedThinking: "Analyzing...",
			expectedCalls: [
				{
					function: {
						name:      "test",
						arguments: NewToolCallFunctionArguments(),
					},
				},
			],
		},
		{
			name:             "leading open think tag split across chunks",
			chunks:           ["<th", "ink>", "\nThink first", "</think>", "\nDone."],
			thinkValue:       true,
			expectedThinking: "Think first",
			expectedContent:  "Done.",
		},
		{
			name:             "partial tool call tag fakeout while thinking preserves whitespace",
			chunks:           ["reasoning ending with ", "<tool_call", " fakeout", "</think>", "Done."],
			thinkValue:       true,
			expectedThinking: "reasoning ending with <tool_call fakeout",
			expectedContent:  "Done.",
		},
		{
			name:             "partial think close tag fakeout preserves whitespace",
			chunks:           ["reasoning ending with ", "</think", " fakeout", "</think>", "Done."],
			thinkValue:       true,
			expectedThinking: "reasoning ending with </think fakeout",
			expectedContent:  "Done.",
		},
		{
			name:             "leading partial think tag fakeout is thinking",
			chunks:           ["<th", "oughts are literal", "</think>", "Done."],
			thinkValue:       true,
			expectedThinking: "<thoughts are literal",
			expectedContent:  "Done.",
		},
	];
