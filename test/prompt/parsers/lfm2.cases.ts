/** Ported from Ollama's model/parsers/lfm2_test.go (tables as data; scripts/port-go-tables.ts). */

export const parse = [
  {
    "name": "simple_content",
    "input": "Hello, how are you?",
    "expectedContent": "Hello, how are you?",
    "hasThinking": false
  },
  {
    "name": "thinking_content",
    "input": "<think>I need to think about this...</think>The answer is 42.",
    "expectedThinking": "I need to think about this...",
    "expectedContent": "The answer is 42.",
    "hasThinking": true
  },
  {
    "name": "direct_answer_with_thinking_enabled",
    "input": "The answer is 42.",
    "expectedContent": "The answer is 42.",
    "hasThinking": true
  },
  {
    "name": "direct_answer_with_tool_call",
    "input": "I'll check the weather.<|tool_call_start|>[get_weather(location=\"Paris\")]<|tool_call_end|>",
    "expectedContent": "I'll check the weather.",
    "expectedCalls": [
      {
        "function": {
          "name": "get_weather",
          "arguments": {
            "location": "Paris"
          }
        }
      }
    ],
    "hasThinking": true
  },
  {
    "name": "thinking_with_newlines",
    "input": "<think>Let me think:\n- Point 1\n- Point 2</think>\n\nHere's my answer.",
    "expectedThinking": "Let me think:\n- Point 1\n- Point 2",
    "expectedContent": "Here's my answer.",
    "hasThinking": true
  },
  {
    "name": "tool_call_simple",
    "input": "I'll check the weather.<|tool_call_start|>[get_weather(location=\"Paris\")]<|tool_call_end|>",
    "expectedContent": "I'll check the weather.",
    "expectedCalls": [
      {
        "function": {
          "name": "get_weather",
          "arguments": {
            "location": "Paris"
          }
        }
      }
    ],
    "hasThinking": false
  },
  {
    "name": "multiple_tool_calls",
    "input": "Getting weather for both cities.<|tool_call_start|>[get_weather(location=\"Paris\")]<|tool_call_end|><|tool_call_start|>[get_weather(location=\"London\")]<|tool_call_end|>",
    "expectedContent": "Getting weather for both cities.",
    "expectedCalls": [
      {
        "function": {
          "index": 0,
          "name": "get_weather",
          "arguments": {
            "location": "Paris"
          }
        }
      },
      {
        "function": {
          "index": 1,
          "name": "get_weather",
          "arguments": {
            "location": "London"
          }
        }
      }
    ],
    "hasThinking": false
  },
  {
    "name": "complex_tool_arguments",
    "input": "Processing data.<|tool_call_start|>[process_data(items=['item1','item2'], config={'enabled': True, 'threshold': 0.95})]<|tool_call_end|>",
    "expectedContent": "Processing data.",
    "expectedCalls": [
      {
        "function": {
          "name": "process_data",
          "arguments": {
            "items": [
              "item1",
              "item2"
            ],
            "config": {
              "enabled": true,
              "threshold": 0.95
            }
          }
        }
      }
    ],
    "hasThinking": false
  },
  {
    "name": "thinking_with_tool_call",
    "input": "<think>Let me check the weather...</think>I'll get that for you.<|tool_call_start|>[get_weather(location=\"Paris\")]<|tool_call_end|>",
    "expectedThinking": "Let me check the weather...",
    "expectedContent": "I'll get that for you.",
    "expectedCalls": [
      {
        "function": {
          "name": "get_weather",
          "arguments": {
            "location": "Paris"
          }
        }
      }
    ],
    "hasThinking": true
  },
  {
    "name": "empty_content",
    "input": "",
    "expectedContent": "",
    "hasThinking": false
  },
  {
    "name": "only_thinking",
    "input": "<think>Just thinking content</think>",
    "expectedThinking": "Just thinking content",
    "expectedContent": "",
    "hasThinking": true
  },
  {
    "name": "unicode_content",
    "input": "مرحبا بالعالم! 你好世界! 🌍",
    "expectedContent": "مرحبا بالعالم! 你好世界! 🌍",
    "hasThinking": false
  },
  {
    "name": "newlines_and_whitespace",
    "input": "Line 1\n\nLine 3\t\tTabbed content",
    "expectedContent": "Line 1\n\nLine 3\t\tTabbed content",
    "hasThinking": false
  },
  {
    "name": "thinking_with_unicode",
    "input": "<think>我在思考这个问题...</think>答案是42。",
    "expectedThinking": "我在思考这个问题...",
    "expectedContent": "答案是42。",
    "hasThinking": true
  },
  {
    "name": "tool_call_with_text_args",
    "input": "Searching for information.<|tool_call_start|>[search(query='beijing weather', language='zh')]<|tool_call_end|>",
    "expectedContent": "Searching for information.",
    "expectedCalls": [
      {
        "function": {
          "name": "search",
          "arguments": {
            "query": "beijing weather",
            "language": "zh"
          }
        }
      }
    ],
    "hasThinking": false
  },
  {
    "name": "thinking_with_special_chars",
    "input": "<think>Let me calculate: 2+2=4 & 3*3=9...</think>The results are correct!",
    "expectedThinking": "Let me calculate: 2+2=4 & 3*3=9...",
    "expectedContent": "The results are correct!",
    "hasThinking": true
  },
  {
    "name": "empty_tool_call_args",
    "input": "Pinging server.<|tool_call_start|>[ping()]<|tool_call_end|>",
    "expectedContent": "Pinging server.",
    "expectedCalls": [
      {
        "function": {
          "name": "ping",
          "arguments": {}
        }
      }
    ],
    "hasThinking": false
  },
  {
    "name": "python_style_tool_call",
    "input": "Let me check that.<|tool_call_start|>[get_candidate_status(candidate_id=\"12345\")]<|tool_call_end|>",
    "expectedContent": "Let me check that.",
    "expectedCalls": [
      {
        "function": {
          "name": "get_candidate_status",
          "arguments": {
            "candidate_id": "12345"
          }
        }
      }
    ],
    "hasThinking": false
  },
  {
    "name": "python_style_multiple_calls",
    "input": "Running commands.<|tool_call_start|>[bash(command='ls'),bash(command='pwd')]<|tool_call_end|>",
    "expectedContent": "Running commands.",
    "expectedCalls": [
      {
        "function": {
          "index": 0,
          "name": "bash",
          "arguments": {
            "command": "ls"
          }
        }
      },
      {
        "function": {
          "index": 1,
          "name": "bash",
          "arguments": {
            "command": "pwd"
          }
        }
      }
    ],
    "hasThinking": false
  },
  {
    "name": "thinking_then_python_tool_call",
    "input": "<think>I should check the status...</think>Let me look that up.<|tool_call_start|>[get_status(id=\"123\")]<|tool_call_end|>",
    "expectedThinking": "I should check the status...",
    "expectedContent": "Let me look that up.",
    "expectedCalls": [
      {
        "function": {
          "name": "get_status",
          "arguments": {
            "id": "123"
          }
        }
      }
    ],
    "hasThinking": true
  },
  {
    "name": "python_style_no_args",
    "input": "Pinging.<|tool_call_start|>[ping()]<|tool_call_end|>",
    "expectedContent": "Pinging.",
    "expectedCalls": [
      {
        "function": {
          "name": "ping",
          "arguments": {}
        }
      }
    ],
    "hasThinking": false
  },
  {
    "name": "python_style_mixed_types",
    "input": "Processing.<|tool_call_start|>[process(name=\"test\", count=42, enabled=true)]<|tool_call_end|>",
    "expectedContent": "Processing.",
    "expectedCalls": [
      {
        "function": {
          "name": "process",
          "arguments": {
            "name": "test",
            "count": 42,
            "enabled": true
          }
        }
      }
    ],
    "hasThinking": false
  },
  {
    "name": "tool_call_only_no_content",
    "input": "<|tool_call_start|>[check()]<|tool_call_end|>",
    "expectedContent": "",
    "expectedCalls": [
      {
        "function": {
          "name": "check",
          "arguments": {}
        }
      }
    ],
    "hasThinking": false
  },
  {
    "name": "thinking_directly_to_tool_call",
    "input": "<think>Let me run this command...</think><|tool_call_start|>[bash(command='ls')]<|tool_call_end|>",
    "expectedThinking": "Let me run this command...",
    "expectedContent": "",
    "expectedCalls": [
      {
        "function": {
          "name": "bash",
          "arguments": {
            "command": "ls"
          }
        }
      }
    ],
    "hasThinking": true
  }
];

export const streaming = [
  {
    "name": "streaming_simple_content",
    "chunks": [
      "Hello, ",
      "how are ",
      "you?"
    ],
    "expectedContent": "Hello, how are you?",
    "hasThinking": false
  },
  {
    "name": "streaming_thinking",
    "chunks": [
      "<think>",
      "I need to ",
      "think about this",
      "...</think>",
      "The answer is 42."
    ],
    "expectedThinking": "I need to think about this...",
    "expectedContent": "The answer is 42.",
    "hasThinking": true
  },
  {
    "name": "streaming_direct_answer",
    "chunks": [
      "The answer ",
      "is ",
      "42."
    ],
    "expectedContent": "The answer is 42.",
    "hasThinking": true
  },
  {
    "name": "streaming_tool_call",
    "chunks": [
      "I'll check weather.",
      "<|tool_call_start|>",
      "[get_weather(",
      "location=\"Paris\")]",
      "<|tool_call_end|>"
    ],
    "expectedContent": "I'll check weather.",
    "expectedCalls": [
      {
        "function": {
          "name": "get_weather",
          "arguments": {
            "location": "Paris"
          }
        }
      }
    ],
    "hasThinking": false
  },
  {
    "name": "streaming_thinking_with_partial_tag",
    "chunks": [
      "<think>",
      "Thinking about this",
      "...</",
      "think>",
      "Done thinking."
    ],
    "expectedThinking": "Thinking about this...",
    "expectedContent": "Done thinking.",
    "hasThinking": true
  },
  {
    "name": "streaming_unicode_content",
    "chunks": [
      "مرحبا ",
      "بالعالم! ",
      "你好",
      "世界!"
    ],
    "expectedContent": "مرحبا بالعالم! 你好世界!",
    "hasThinking": false
  },
  {
    "name": "streaming_tool_call_with_split_python",
    "chunks": [
      "Processing.",
      "<|tool_call_start|>",
      "[calc(",
      "x=42, ",
      "y=24)]",
      "<|tool_call_end|>"
    ],
    "expectedContent": "Processing.",
    "expectedCalls": [
      {
        "function": {
          "name": "calc",
          "arguments": {
            "x": 42,
            "y": 24
          }
        }
      }
    ],
    "hasThinking": false
  },
  {
    "name": "streaming_thinking_split_open_tag",
    "chunks": [
      "<th",
      "ink>",
      "reasoning",
      "</think>",
      "answer"
    ],
    "expectedThinking": "reasoning",
    "expectedContent": "answer",
    "hasThinking": true
  },
  {
    "name": "streaming_direct_answer_starting_with_angle",
    "chunks": [
      "<",
      "html> is a tag"
    ],
    "expectedContent": "<html> is a tag",
    "hasThinking": true
  },
  {
    "name": "streaming_thinking_whitespace_after_tag",
    "chunks": [
      "<think>",
      "\n\n  ",
      "Actual thinking content",
      "</think>",
      "Response"
    ],
    "expectedThinking": "Actual thinking content",
    "expectedContent": "Response",
    "hasThinking": true
  },
  {
    "name": "streaming_whitespace_after_close_tag",
    "chunks": [
      "<think>Thinking</think>",
      "\n\n\n",
      "Response content"
    ],
    "expectedThinking": "Thinking",
    "expectedContent": "Response content",
    "hasThinking": true
  }
];

export const edgeCases = [
  {
    "name": "multiple_think_close_tags",
    "input": "<think>First thought</think>Second thought</think>Final content",
    "expectedThinking": "First thought",
    "expectedContent": "Second thought</think>Final content",
    "hasThinking": true
  },
  {
    "name": "empty_thinking_block",
    "input": "<think></think>Just content",
    "expectedThinking": "",
    "expectedContent": "Just content",
    "hasThinking": true
  },
  {
    "name": "direct_answer_with_leading_whitespace",
    "input": "  \n  Hello there",
    "expectedContent": "Hello there",
    "hasThinking": true
  },
  {
    "name": "thinking_disabled_with_think_tags",
    "input": "Some content</think>More content",
    "expectedContent": "Some content</think>More content",
    "hasThinking": false
  },
  {
    "name": "whitespace_only_content",
    "input": "   \n\t   ",
    "expectedContent": "   \n\t   ",
    "hasThinking": false
  }
];

export const toolCallContent = [
  {
    "name": "python_style_single_call",
    "content": "get_weather(location=\"Paris\")",
    "expected": {
      "function": {
        "name": "get_weather",
        "arguments": {
          "location": "Paris"
        }
      }
    }
  },
  {
    "name": "python_style_with_brackets",
    "content": "[get_weather(location=\"Paris\")]",
    "expected": {
      "function": {
        "name": "get_weather",
        "arguments": {
          "location": "Paris"
        }
      }
    }
  },
  {
    "name": "python_style_complex_arguments",
    "content": "process(items=['a', 'b'], config={'enabled': True})",
    "expected": {
      "function": {
        "name": "process",
        "arguments": {
          "items": [
            "a",
            "b"
          ],
          "config": {
            "enabled": true
          }
        }
      }
    }
  },
  {
    "name": "python_style_empty_arguments",
    "content": "ping()",
    "expected": {
      "function": {
        "name": "ping",
        "arguments": {}
      }
    }
  },
  {
    "name": "missing_parenthesis",
    "content": "get_weather location=\"Paris\")",
    "expectError": true
  },
  {
    "name": "invalid_argument_format",
    "content": "bash(command)",
    "expectError": true
  }
];

export const toolCallsContent = [
  {
    "name": "multiple_python_style_calls",
    "content": "[bash(command='curl google.com'),bash(command='curl example.com')]",
    "expected": [
      {
        "function": {
          "name": "bash",
          "arguments": {
            "command": "curl google.com"
          }
        }
      },
      {
        "function": {
          "name": "bash",
          "arguments": {
            "command": "curl example.com"
          }
        }
      }
    ]
  },
  {
    "name": "python_style_complex_literals",
    "content": "[AskUserQuestion(question=\"What's up?\", headers=['Hello!', 'How can I help you?'], options=['Debugging help', 'Code writing assistance'], multiSelect=False, metadata={'priority': 1, 'active': True})]",
    "expected": [
      {
        "function": {
          "name": "AskUserQuestion",
          "arguments": {
            "question": "What's up?",
            "headers": [
              "Hello!",
              "How can I help you?"
            ],
            "options": [
              "Debugging help",
              "Code writing assistance"
            ],
            "multiSelect": false,
            "metadata": {
              "priority": 1,
              "active": true
            }
          }
        }
      }
    ]
  },
  {
    "name": "single_python_style_call",
    "content": "bash(command='ls -la')",
    "expected": [
      {
        "function": {
          "name": "bash",
          "arguments": {
            "command": "ls -la"
          }
        }
      }
    ]
  },
  {
    "name": "single_bracketed_call",
    "content": "[bash(command='pwd')]",
    "expected": [
      {
        "function": {
          "name": "bash",
          "arguments": {
            "command": "pwd"
          }
        }
      }
    ]
  },
  {
    "name": "single_call_with_orphan_end_tag",
    "content": "[bash(command='ls')]<|tool_call_end|>",
    "expected": [
      {
        "function": {
          "name": "bash",
          "arguments": {
            "command": "ls"
          }
        }
      }
    ]
  },
  {
    "name": "single_call_with_wrapper_tags",
    "content": "<|tool_call_start|>[bash(command='pwd')]<|tool_call_end|>",
    "expected": [
      {
        "function": {
          "name": "bash",
          "arguments": {
            "command": "pwd"
          }
        }
      }
    ]
  },
  {
    "name": "multiple_different_functions",
    "content": "[get_weather(location='Paris'),search(query='news')]",
    "expected": [
      {
        "function": {
          "name": "get_weather",
          "arguments": {
            "location": "Paris"
          }
        }
      },
      {
        "function": {
          "name": "search",
          "arguments": {
            "query": "news"
          }
        }
      }
    ]
  },
  {
    "name": "nested_parentheses_in_arg",
    "content": "bash(command='echo \"(hello)\"')",
    "expected": [
      {
        "function": {
          "name": "bash",
          "arguments": {
            "command": "echo \"(hello)\""
          }
        }
      }
    ]
  },
  {
    "name": "comma_inside_quotes",
    "content": "bash(command='echo \"hello, world\"')",
    "expected": [
      {
        "function": {
          "name": "bash",
          "arguments": {
            "command": "echo \"hello, world\""
          }
        }
      }
    ]
  },
  {
    "name": "equals_inside_quotes",
    "content": "bash(command='export FOO=bar')",
    "expected": [
      {
        "function": {
          "name": "bash",
          "arguments": {
            "command": "export FOO=bar"
          }
        }
      }
    ]
  },
  {
    "name": "double_quotes_with_single_inside",
    "content": "bash(command=\"echo 'hello'\")",
    "expected": [
      {
        "function": {
          "name": "bash",
          "arguments": {
            "command": "echo 'hello'"
          }
        }
      }
    ]
  },
  {
    "name": "multiple_args",
    "content": "bash(command='ls', flag='-la', count=42)",
    "expected": [
      {
        "function": {
          "name": "bash",
          "arguments": {
            "command": "ls",
            "flag": "-la",
            "count": 42
          }
        }
      }
    ]
  },
  {
    "name": "no_args",
    "content": "ping()",
    "expected": [
      {
        "function": {
          "name": "ping",
          "arguments": {}
        }
      }
    ]
  },
  {
    "name": "three_calls",
    "content": "[a(x='1'),b(y='2'),c(z='3')]",
    "expected": [
      {
        "function": {
          "name": "a",
          "arguments": {
            "x": "1"
          }
        }
      },
      {
        "function": {
          "name": "b",
          "arguments": {
            "y": "2"
          }
        }
      },
      {
        "function": {
          "name": "c",
          "arguments": {
            "z": "3"
          }
        }
      }
    ]
  },
  {
    "name": "escaped_quote_in_value",
    "content": "bash(command='echo \\'hello\\'')",
    "expected": [
      {
        "function": {
          "name": "bash",
          "arguments": {
            "command": "echo \\'hello\\'"
          }
        }
      }
    ]
  },
  {
    "name": "docs_example_candidate_status",
    "content": "[get_candidate_status(candidate_id=\"12345\")]",
    "expected": [
      {
        "function": {
          "name": "get_candidate_status",
          "arguments": {
            "candidate_id": "12345"
          }
        }
      }
    ]
  },
  {
    "name": "boolean_true_arg",
    "content": "configure(enabled=true)",
    "expected": [
      {
        "function": {
          "name": "configure",
          "arguments": {
            "enabled": true
          }
        }
      }
    ]
  },
  {
    "name": "boolean_false_arg",
    "content": "configure(enabled=false)",
    "expected": [
      {
        "function": {
          "name": "configure",
          "arguments": {
            "enabled": false
          }
        }
      }
    ]
  },
  {
    "name": "float_arg",
    "content": "set_threshold(value=0.95)",
    "expected": [
      {
        "function": {
          "name": "set_threshold",
          "arguments": {
            "value": 0.95
          }
        }
      }
    ]
  },
  {
    "name": "negative_number_arg",
    "content": "adjust(offset=-10)",
    "expected": [
      {
        "function": {
          "name": "adjust",
          "arguments": {
            "offset": -10
          }
        }
      }
    ]
  },
  {
    "name": "mixed_arg_types",
    "content": "process(name=\"test\", count=42, ratio=3.14, active=true)",
    "expected": [
      {
        "function": {
          "name": "process",
          "arguments": {
            "name": "test",
            "count": 42,
            "ratio": 3.14,
            "active": true
          }
        }
      }
    ]
  },
  {
    "name": "newline_in_string_arg",
    "content": "write_file(content=\"line1\\nline2\\nline3\")",
    "expected": [
      {
        "function": {
          "name": "write_file",
          "arguments": {
            "content": "line1\\nline2\\nline3"
          }
        }
      }
    ]
  },
  {
    "name": "empty_string_arg",
    "content": "search(query=\"\")",
    "expected": [
      {
        "function": {
          "name": "search",
          "arguments": {
            "query": ""
          }
        }
      }
    ]
  },
  {
    "name": "underscore_function_name",
    "content": "get_user_profile(user_id=\"abc123\")",
    "expected": [
      {
        "function": {
          "name": "get_user_profile",
          "arguments": {
            "user_id": "abc123"
          }
        }
      }
    ]
  },
  {
    "name": "whitespace_around_args",
    "content": "func( arg1 = \"value1\" , arg2 = 42 )",
    "expected": [
      {
        "function": {
          "name": "func",
          "arguments": {
            "arg1": "value1",
            "arg2": 42
          }
        }
      }
    ]
  },
  {
    "name": "json_in_string_arg",
    "content": "send_data(payload='{\"key\": \"value\", \"num\": 123}')",
    "expected": [
      {
        "function": {
          "name": "send_data",
          "arguments": {
            "payload": "{\"key\": \"value\", \"num\": 123}"
          }
        }
      }
    ]
  },
  {
    "name": "url_in_arg",
    "content": "fetch(url=\"https://example.com/api?foo=bar&baz=qux\")",
    "expected": [
      {
        "function": {
          "name": "fetch",
          "arguments": {
            "url": "https://example.com/api?foo=bar&baz=qux"
          }
        }
      }
    ]
  },
  {
    "name": "path_with_spaces",
    "content": "read_file(path=\"/home/user/My Documents/file.txt\")",
    "expected": [
      {
        "function": {
          "name": "read_file",
          "arguments": {
            "path": "/home/user/My Documents/file.txt"
          }
        }
      }
    ]
  }
];

export const imagePlaceholders = [
  {
    "name": "indexed_img_placeholder",
    "input": "[img-0]describe this image"
  },
  {
    "name": "template_image_placeholder",
    "input": "<image>describe this image"
  }
];
