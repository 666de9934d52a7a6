/** Ported from Ollama's model/parsers/olmo3_think_test.go (tables as data). */

export const parse = [
		{
			name:             "thinking_only",
			input:            "I need to think about this.</think>Here is my response.",
			expectedContent:  "Here is my response.",
			expectedThinking: "I need to think about this.",
		},
		{
			name:             "thinking_with_newlines",
			input:            "Let me think step by step.\n\n1. First point\n2. Second point</think>The answer is 42.",
			expectedContent:  "The answer is 42.",
			expectedThinking: "Let me think step by step.\n\n1. First point\n2. Second point",
		},
		{
			name:             "thinking_then_content",
			input:            "Deep thinking here.</think>Here is my detailed response with multiple sentences. I have thought carefully.",
			expectedContent:  "Here is my detailed response with multiple sentences. I have thought carefully.",
			expectedThinking: "Deep thinking here.",
		},
		{
			name:             "empty_thinking",
			input:            "</think>Just content here.",
			expectedContent:  "Just content here.",
			expectedThinking: "",
		},
		{
			name:            "prefill_skips_thinking",
			input:           "Continuing from previous content.",
			expectedContent: "Continuing from previous content.",
			lastMessage: {
				role:    "assistant",
				content: "Previous content",
			},
		},
		{
			name:             "thinking_with_whitespace",
			input:            "  Some thinking  </think>  Content here  ",
			expectedContent:  "Content here  ",
			expectedThinking: "  Some thinking",
		},
		{
			name:             "real_model_output_with_newlines",
			input:            "Yes, that should work. Let me go with that response.\n\n</think>\n\nHi! I'm all set and ready to assist. How about you? How are you today? 😊",
			expectedThinking: "Yes, that should work. Let me go with that response.",
			expectedContent:  "Hi! I'm all set and ready to assist. How about you? How are you today? 😊",
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
	];

export const streamingEdgeCases = [
		{
			name: "thinking_tag_split_across_chunks",
			chunks: [
				"This is thinking content",
				"</think>",
				"This is content.",
			],
			expectedContent:  "This is content.",
			expectedThinking: "This is thinking content",
		},
		{
			name: "thinking_tag_split_mid_token",
			chunks: [
				"Thinking?</",
				"think>",
				"Content here.",
			],
			expectedContent:  "Content here.",
			expectedThinking: "Thinking?",
		},
		{
			name: "thinking_tag_split_at_angle_bracket",
			chunks: [
				"Thinking<",
				"/think>",
				"Content.",
			],
			expectedContent:  "Content.",
			expectedThinking: "Thinking",
		},
	];

export const thinkBoundary = [
		{
			name: "multiple_thinking_chunks",
			chunks: [
				"First part of thinking. ",
				"Second part of thinking. ",
				"Third part.</think>",
				"Content here.",
			],
			expectedThinking: "First part of thinking. Second part of thinking. Third part.",
			expectedContent:  "Content here.",
		},
		{
			name: "thinking_chunks_with_newlines",
			chunks: [
				"Step 1: Analyze the problem.\n",
				"Step 2: Consider options.\n",
				"Step 3: Make decision.</think>",
				"Here is my answer.",
			],
			expectedThinking: "Step 1: Analyze the problem.\nStep 2: Consider options.\nStep 3: Make decision.",
			expectedContent:  "Here is my answer.",
		},
		{
			name: "single_char_thinking_chunks",
			chunks: [
				"H", "e", "l", "l", "o", "</think>", "World",
			],
			expectedThinking: "Hello",
			expectedContent:  "World",
		},
		{
			name: "thinking_with_special_chars",
			chunks: [
				"Let me think... ",
				"Option A: $100 ",
				"Option B: €200</think>",
				"I recommend Option A.",
			],
			expectedThinking: "Let me think... Option A: $100 Option B: €200",
			expectedContent:  "I recommend Option A.",
		},
		{
			name: "long_thinking_multiple_chunks",
			chunks: [
				"This is a very long thinking process. ",
				"I need to consider many factors. ",
				"First, let me look at the data. ",
				"The numbers show interesting patterns. ",
				"Based on my analysis, ",
				"I can conclude that...</think>",
				"The answer is 42.",
			],
			expectedThinking: "This is a very long thinking process. I need to consider many factors. First, let me look at the data. The numbers show interesting patterns. Based on my analysis, I can conclude that...",
			expectedContent:  "The answer is 42.",
		},
		{
			name: "thinking_ends_exactly_at_chunk_boundary",
			chunks: [
				"Thinking content",
				"</think>",
				"Content",
			],
			expectedThinking: "Thinking content",
			expectedContent:  "Content",
		},
		{
			name: "empty_chunks_between_thinking",
			chunks: [
				"Start thinking",
				"",
				" middle ",
				"",
				"end</think>",
				"Content",
			],
			expectedThinking: "Start thinking middle end",
			expectedContent:  "Content",
		},
	];
