/** Ported from Ollama's harmony/harmonyparser_test.go (tables as data). */

export const headerParsing = [
		{
			in:            "assistant<|channel|>analysis",
			wantRole:      "assistant",
			wantChannel:   "analysis",
			wantRecipient: "",
		},
		{
			in:            "assistant<|channel|>analysis to=functions.get_weather",
			wantRole:      "assistant",
			wantChannel:   "analysis",
			wantRecipient: "functions.get_weather",
		},
		{
			in:            "assistant to=functions.get_weather<|channel|>analysis",
			wantRole:      "assistant",
			wantChannel:   "analysis",
			wantRecipient: "functions.get_weather",
		},
		// special case where the role is replaced by the recipient (matches reference code)
		{
			in:            "to=functions.get_weather<|channel|>analysis",
			wantRole:      "tool",
			wantChannel:   "analysis",
			wantRecipient: "functions.get_weather",
		},
		// extra token after the recipient is ignored
		{
			in:            "assistant to=functions.get_weather abc<|channel|>analysis",
			wantRole:      "assistant",
			wantChannel:   "analysis",
			wantRecipient: "functions.get_weather",
		},
		// with constrain tag, recipient after channel tag
		{
			in:            "assistant<|channel|>commentary to=functions.get_weather <|constrain|>json",
			wantRole:      "assistant",
			wantChannel:   "commentary",
			wantRecipient: "functions.get_weather",
		},
		// with constrain tag, recipient before channel tag
		{
			in:            "assistant to=functions.get_weather<|channel|>commentary <|constrain|>json",
			wantRole:      "assistant",
			wantChannel:   "commentary",
			wantRecipient: "functions.get_weather",
		},
		// constrain tag without space
		{
			in:            "assistant<|channel|>commentary to=functions.get_weather<|constrain|>json",
			wantRole:      "assistant",
			wantChannel:   "commentary",
			wantRecipient: "functions.get_weather",
		},
		// constrain tag without space, different order
		{
			in:            "assistant to=functions.get_weather<|channel|>commentary<|constrain|>json",
			wantRole:      "assistant",
			wantChannel:   "commentary",
			wantRecipient: "functions.get_weather",
		},
	];

export const headerEvent = [
		{
			in:            "<|start|>user<|message|>What is 2 + 2?<|end|>",
			wantRole:      "user",
			wantChannel:   "",
			wantRecipient: "",
		},
		{
			in:            "<|start|>assistant<|channel|>analysis<|message|>What is 2 + 2?<|end|>",
			wantRole:      "assistant",
			wantChannel:   "analysis",
			wantRecipient: "",
		},
		{
			in:            "<|start|>assistant<|channel|>commentary to=functions.get_weather <|constrain|>json<|message|>{\"location\":\"San Francisco\"}<|call|><|start|>functions.get_weather to=assistant<|message|>{\"sunny\": true, \"temperature\": 20}<|end|>",
			wantRole:      "assistant",
			wantChannel:   "commentary",
			wantRecipient: "functions.get_weather",
		},
		{
			in:            "<|channel|>analysis<|message|>User asks weather in SF. We need location. Use get_current_weather with location \"San Francisco, CA\".<|end|><|start|>assistant<|channel|>commentary to=functions.get_current_weather <|constrain|>json<|message|>{\"location\":\"San Francisco, CA\"}<|call|>",
			wantRole:      "assistant",
			wantChannel:   "analysis",
			wantRecipient: "",
			implicitStart: true,
		},
	];

export const nonStreaming = [
		{
			in: "<|start|>user<|message|>What is 2 + 2?<|end|>",
			wantEvents: [
				{kind: "HarmonyEventMessageStart", },
				{kind: "HarmonyEventHeaderComplete", header: {role: "user", channel: "", recipient: ""}},
				{kind: "HarmonyEventContentEmitted", content: "What is 2 + 2?"},
				{kind: "HarmonyEventMessageEnd", },
			],
		},
		{
			in: "<|start|>assistant<|channel|>analysis<|message|>The answer is 4<|end|>",
			wantEvents: [
				{kind: "HarmonyEventMessageStart", },
				{kind: "HarmonyEventHeaderComplete", header: {role: "assistant", channel: "analysis", recipient: ""}},
				{kind: "HarmonyEventContentEmitted", content: "The answer is 4"},
				{kind: "HarmonyEventMessageEnd", },
			],
		},
		{
			in: "<|start|>assistant<|channel|>commentary to=functions.calc<|message|>Computing...<|end|>",
			wantEvents: [
				{kind: "HarmonyEventMessageStart", },
				{kind: "HarmonyEventHeaderComplete", header: {role: "assistant", channel: "commentary", recipient: "functions.calc"}},
				{kind: "HarmonyEventContentEmitted", content: "Computing..."},
				{kind: "HarmonyEventMessageEnd", },
			],
		},
		{
			in: "<|start|>user<|message|><|end|>",
			wantEvents: [
				{kind: "HarmonyEventMessageStart", },
				{kind: "HarmonyEventHeaderComplete", header: {role: "user", channel: "", recipient: ""}},
				{kind: "HarmonyEventMessageEnd", },
			],
		},
		{
			in: "<|start|>user<|message|>Hello<|end|><|start|>assistant<|message|>Hi!<|end|>",
			wantEvents: [
				{kind: "HarmonyEventMessageStart", },
				{kind: "HarmonyEventHeaderComplete", header: {role: "user", channel: "", recipient: ""}},
				{kind: "HarmonyEventContentEmitted", content: "Hello"},
				{kind: "HarmonyEventMessageEnd", },
				{kind: "HarmonyEventMessageStart", },
				{kind: "HarmonyEventHeaderComplete", header: {role: "assistant", channel: "", recipient: ""}},
				{kind: "HarmonyEventContentEmitted", content: "Hi!"},
				{kind: "HarmonyEventMessageEnd", },
			],
		},
		{
			in:            "<|channel|>analysis<|message|>Thinking about the request<|end|>",
			implicitStart: true,
			wantEvents:    [{kind: "HarmonyEventMessageStart", }, {kind: "HarmonyEventHeaderComplete", header: {role: "assistant", channel: "analysis", recipient: ""}}, {kind: "HarmonyEventContentEmitted", content: "Thinking about the request"}, {kind: "HarmonyEventMessageEnd", }],
		},
	];

export const streaming = [
		{
			desc: "simple message streamed character by character",
			steps: [
				{
					input:      "<",
					wantEvents: null,
				},
				{
					input:      "|",
					wantEvents: null,
				},
				{
					input:      "start|>u",
					wantEvents: [{kind: "HarmonyEventMessageStart", }],
				},
				{
					input:      "ser<|mess",
					wantEvents: null,
				},
				{
					input: "age|>Hi",
					wantEvents: [
						{kind: "HarmonyEventHeaderComplete", header: {role: "user", channel: "", recipient: ""}},
						{kind: "HarmonyEventContentEmitted", content: "Hi"},
					],
				},
				{
					input:      " there",
					wantEvents: [{kind: "HarmonyEventContentEmitted", content: " there"}],
				},
				{
					input:      "<|e",
					wantEvents: null,
				},
				{
					input:      "nd|>",
					wantEvents: [{kind: "HarmonyEventMessageEnd", }],
				},
			],
		},
		{
			desc: "message with channel streamed",
			steps: [
				{
					input:      "<|start|>assistant",
					wantEvents: [{kind: "HarmonyEventMessageStart", }],
				},
				{
					input:      "<|chan",
					wantEvents: null,
				},
				{
					input:      "nel|>analysis",
					wantEvents: null,
				},
				{
					input:      "<|message|>",
					wantEvents: [{kind: "HarmonyEventHeaderComplete", header: {role: "assistant", channel: "analysis", recipient: ""}}],
				},
				{
					input:      "Thinking",
					wantEvents: [{kind: "HarmonyEventContentEmitted", content: "Thinking"}],
				},
				{
					input:      "...",
					wantEvents: [{kind: "HarmonyEventContentEmitted", content: "..."}],
				},
				{
					input:      "<|end|>",
					wantEvents: [{kind: "HarmonyEventMessageEnd", }],
				},
			],
		},
		{
			desc: "message with channel and recipient",
			steps: [
				{
					input: "<|start|>assistant<|channel|>commentary to=functions.calc<|message|>",
					wantEvents: [
						{kind: "HarmonyEventMessageStart", },
						{kind: "HarmonyEventHeaderComplete", header: {role: "assistant", channel: "commentary", recipient: "functions.calc"}},
					],
				},
				{
					input:      "{\"x\": 5}",
					wantEvents: [{kind: "HarmonyEventContentEmitted", content: "{\"x\": 5}"}],
				},
				{
					input:      "<|end|>",
					wantEvents: [{kind: "HarmonyEventMessageEnd", }],
				},
			],
		},
		{
			desc: "message with channel and recipient (receipient before channel)",
			steps: [
				{
					input: "<|start|>assistant to=functions.calc<|channel|>commentary<|message|>",
					wantEvents: [
						{kind: "HarmonyEventMessageStart", },
						{kind: "HarmonyEventHeaderComplete", header: {role: "assistant", channel: "commentary", recipient: "functions.calc"}},
					],
				},
				{
					input:      "{\"x\": 5}",
					wantEvents: [{kind: "HarmonyEventContentEmitted", content: "{\"x\": 5}"}],
				},
				{
					input:      "<|end|>",
					wantEvents: [{kind: "HarmonyEventMessageEnd", }],
				},
			],
		},
		{
			desc:          "implicit start with channel",
			implicitStart: true,
			steps: [
				{
					input:      "<|channel|>thinking",
					wantEvents: [{kind: "HarmonyEventMessageStart", }],
				},
				{
					input:      "<|message|>",
					wantEvents: [{kind: "HarmonyEventHeaderComplete", header: {role: "assistant", channel: "thinking", recipient: ""}}],
				},
				{
					input:      "Processing request",
					wantEvents: [{kind: "HarmonyEventContentEmitted", content: "Processing request"}],
				},
				{
					input:      "<|end|>",
					wantEvents: [{kind: "HarmonyEventMessageEnd", }],
				},
			],
		},
		{
			desc: "multiple messages streamed",
			steps: [
				{
					input: "<|start|>user<|message|>Hello<|end|>",
					wantEvents: [
						{kind: "HarmonyEventMessageStart", },
						{kind: "HarmonyEventHeaderComplete", header: {role: "user", channel: "", recipient: ""}},
						{kind: "HarmonyEventContentEmitted", content: "Hello"},
						{kind: "HarmonyEventMessageEnd", },
					],
				},
				{
					input:      "<|start|>",
					wantEvents: [{kind: "HarmonyEventMessageStart", }],
				},
				{
					input:      "assistant<|message|>",
					wantEvents: [{kind: "HarmonyEventHeaderComplete", header: {role: "assistant", channel: "", recipient: ""}}],
				},
				{
					input:      "Hi!",
					wantEvents: [{kind: "HarmonyEventContentEmitted", content: "Hi!"}],
				},
				{
					input:      "<|end|>",
					wantEvents: [{kind: "HarmonyEventMessageEnd", }],
				},
			],
		},
		{
			desc: "empty message",
			steps: [
				{
					input: "<|start|>system<|message|><|end|>",
					wantEvents: [
						{kind: "HarmonyEventMessageStart", },
						{kind: "HarmonyEventHeaderComplete", header: {role: "system", channel: "", recipient: ""}},
						{kind: "HarmonyEventMessageEnd", },
					],
				},
			],
		},
		{
			desc: "partial tag that looks like end but isn't",
			steps: [
				{
					input: "<|start|>user<|message|>test<|e",
					wantEvents: [
						{kind: "HarmonyEventMessageStart", },
						{kind: "HarmonyEventHeaderComplete", header: {role: "user", channel: "", recipient: ""}},
						{kind: "HarmonyEventContentEmitted", content: "test"},
					],
				},
				{
					input:      "xample|>more",
					wantEvents: [{kind: "HarmonyEventContentEmitted", content: "<|example|>more"}],
				},
				{
					input:      "<|end|>",
					wantEvents: [{kind: "HarmonyEventMessageEnd", }],
				},
			],
		},
	];

export const convertToValidChars = [
		{name: "replace spaces with underscores", in: "get weather", want: "get_weather"},
		{name: "replace hyphens with underscores", in: "get-weather", want: "get_weather"},
		{name: "replace periods with underscores", in: "get.weather", want: "get_weather"},
		{name: "disallow non-word characters", in: "get weather!", want: "get_weather"},
		{name: "strip out invalid non-alphanumeric unicode characters", in: "a🫠bc", want: "abc"},
		{name: "names that only contain invalid characters", in: "🫠", want: "unnamed"},
		{name: "leading number", in: "123", want: "_123"},
		{name: "$ allowed", in: "$", want: "$"},
		// show that we allow weird unicode letter characters, though we might want
		// to convert them to their closest ASCII equivalents in the future
		{name: "allow weird unicode letter characters", in: "𝓸𝓵𝓵𝓪𝓶𝓪", want: "𝓸𝓵𝓵𝓪𝓶𝓪"},
		// names that look like words but are invalid (i.e., not ID_Start/ID_Continue)
		{name: "disallow non-word characters that look like words", in: "ⓞⓛⓛⓐⓜⓐ123", want: "_123"},
	];

export const convertAndAdd = [
		{name: "basic dupe handling", in: ["get weather", "get weather"], want: ["get_weather", "get_weather_2"]},
		{name: "dupes from different user-specified names", in: ["get weather", "get_weather", "get-weather"], want: ["get_weather", "get_weather_2", "get_weather_3"]},
		{name: "non dupes after dupes", in: ["get weather", "get_weather", "get-weather", "something-different"], want: ["get_weather", "get_weather_2", "get_weather_3", "something_different"]},
		{name: "multiple sets of dupes", in: ["a", "a", "b", "a", "a", "b", "a"], want: ["a", "a_2", "b", "a_3", "a_4", "b_2", "a_5"]},
		{name: "built-in functions should not be renamed", in: ["browser.open", "python", "not.a.built-in.function", "browser.not_a_real_built_in"], want: ["browser.open", "python", "not_a_built_in_function", "browser_not_a_real_built_in"]},
	];
