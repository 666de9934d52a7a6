/**
 * Known chat templates: for each Ollama template name, the Jinja chat templates
 * (`tokenizer.chat_template`) that model families ship, and the `stop` parameters Ollama's
 * `<name>.json` carries. The Go template text is in gotemplates.ts.
 *
 * The Jinja strings are the templates published with the models on their model cards (written
 * out here in their canonical form); autodetection picks the nearest one by edit distance
 * (autodetect.ts), so small variations still match.
 */
import { GO_TEMPLATES } from './gotemplates.js';

export interface KnownTemplate {
  /** Ollama's template name (`llama3-instruct`, `chatml`, …). */
  name: string;
  /** The Go template Ollama stores for it. */
  template: string;
  /** The `stop` list of Ollama's `<name>.json`, when it has one. */
  stop?: string[];
  /** Jinja chat templates that identify it (most common first). */
  jinja: string[];
}

interface Entry {
  name: string;
  stop?: string[];
  jinja: string[];
}

const ENTRIES: Entry[] = [
  {
    name: 'llama3-instruct',
    stop: ['<|start_header_id|>', '<|end_header_id|>', '<|eot_id|>'],
    jinja: [
      String.raw`{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>

'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>

' }}{% endif %}`,
    ],
  },
  {
    name: 'llama2-chat',
    stop: ['[INST]', '[/INST]', '<<SYS>>', '<</SYS>>'],
    jinja: [
      String.raw`{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}{% set system_message = messages[0]['content'] %}{% else %}{% set loop_messages = messages %}{% set system_message = false %}{% endif %}{% for message in loop_messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if loop.index0 == 0 and system_message != false %}{% set content = '<<SYS>>\n' + system_message + '\n<</SYS>>\n\n' + message['content'] %}{% else %}{% set content = message['content'] %}{% endif %}{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ ' '  + content.strip() + ' ' + eos_token }}{% endif %}{% endfor %}`,
    ],
  },
  {
    name: 'mistral-instruct',
    stop: ['[INST]', '[/INST]'],
    jinja: [
      String.raw`{{ bos_token }}{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ message['content'] + eos_token}}{% else %}{{ raise_exception('Only user and assistant roles are supported!') }}{% endif %}{% endfor %}`,
    ],
  },
  {
    name: 'chatml',
    stop: ['<|im_start|>', '<|im_end|>'],
    jinja: [
      String.raw`{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}`,
      // Qwen2 / Qwen1.5: ChatML with a default system prompt.
      String.raw`{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n' }}{% endif %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}`,
    ],
  },
  {
    name: 'gemma-instruct',
    stop: ['<start_of_turn>', '<end_of_turn>'],
    jinja: [
      String.raw`{{ bos_token }}{% if messages[0]['role'] == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if (message['role'] == 'assistant') %}{% set role = 'model' %}{% else %}{% set role = message['role'] %}{% endif %}{{ '<start_of_turn>' + role + '\n' + message['content'] | trim + '<end_of_turn>\n' }}{% endfor %}{% if add_generation_prompt %}{{'<start_of_turn>model\n'}}{% endif %}`,
    ],
  },
  {
    name: 'gemma3-instruct',
    stop: ['<end_of_turn>'],
    jinja: [
      String.raw`{{ bos_token }}
{%- if messages[0]['role'] == 'system' -%}
    {%- if messages[0]['content'] is string -%}
        {%- set first_user_prefix = messages[0]['content'] + '

' -%}
    {%- else -%}
        {%- set first_user_prefix = messages[0]['content'][0]['text'] + '

' -%}
    {%- endif -%}
    {%- set loop_messages = messages[1:] -%}
{%- else -%}
    {%- set first_user_prefix = "" -%}
    {%- set loop_messages = messages -%}
{%- endif -%}
{%- for message in loop_messages -%}
    {%- if (message['role'] == 'user') != (loop.index0 % 2 == 0) -%}
        {{ raise_exception("Conversation roles must alternate user/assistant/user/assistant/...") }}
    {%- endif -%}
    {%- if (message['role'] == 'assistant') -%}
        {%- set role = "model" -%}
    {%- else -%}
        {%- set role = message['role'] -%}
    {%- endif -%}
    {{ '<start_of_turn>' + role + '
' + (first_user_prefix if loop.first else "") }}
    {%- if message['content'] is string -%}
        {{ message['content'] | trim }}
    {%- elif message['content'] is iterable -%}
        {%- for item in message['content'] -%}
            {%- if item['type'] == 'image' -%}
                {{ '<start_of_image>' }}
            {%- elif item['type'] == 'text' -%}
                {{ item['text'] | trim }}
            {%- endif -%}
        {%- endfor -%}
    {%- else -%}
        {{ raise_exception("Invalid content type") }}
    {%- endif -%}
    {{ '<end_of_turn>
' }}
{%- endfor -%}
{%- if add_generation_prompt -%}
    {{'<start_of_turn>model
'}}
{%- endif -%}
`,
    ],
  },
  {
    name: 'phi-3',
    stop: ['<|end|>', '<|system|>', '<|user|>', '<|assistant|>'],
    jinja: [
      String.raw`{{ bos_token }}{% for message in messages %}{% if (message['role'] == 'user') %}{{'<|user|>' + '\n' + message['content'] + '<|end|>' + '\n' + '<|assistant|>' + '\n'}}{% elif (message['role'] == 'assistant') %}{{message['content'] + '<|end|>' + '\n'}}{% endif %}{% endfor %}`,
      String.raw`{% for message in messages %}{% if message['role'] == 'system' %}{{'<|system|>\n' + message['content'] + '<|end|>\n'}}{% elif message['role'] == 'user' %}{{'<|user|>\n' + message['content'] + '<|end|>\n'}}{% elif message['role'] == 'assistant' %}{{'<|assistant|>\n' + message['content'] + '<|end|>\n'}}{% endif %}{% endfor %}{% if add_generation_prompt %}{{ '<|assistant|>\n' }}{% else %}{{ eos_token }}{% endif %}`,
    ],
  },
  {
    name: 'zephyr',
    stop: ['<|system|>', '</s>', '<|user|>', '<|assistant|>'],
    jinja: [
      String.raw`{% for message in messages %}
{% if message['role'] == 'user' %}
{{ '<|user|>
' + message['content'] + eos_token }}
{% elif message['role'] == 'system' %}
{{ '<|system|>
' + message['content'] + eos_token }}
{% elif message['role'] == 'assistant' %}
{{ '<|assistant|>
'  + message['content'] + eos_token }}
{% endif %}
{% if loop.last and add_generation_prompt %}
{{ '<|assistant|>' }}
{% endif %}
{% endfor %}`,
    ],
  },
  {
    // Not in Ollama's index: a Tollama addition (Vicuna v1.1 style templates).
    name: 'vicuna',
    stop: ['USER:', 'ASSISTANT:'],
    jinja: [
      String.raw`{% for message in messages %}{% if message['role'] == 'system' %}{{ message['content'] + ' ' }}{% elif message['role'] == 'user' %}{{ 'USER: ' + message['content'] + ' ' }}{% elif message['role'] == 'assistant' %}{{ 'ASSISTANT: ' + message['content'] + eos_token + ' ' }}{% endif %}{% endfor %}{% if add_generation_prompt %}{{ 'ASSISTANT:' }}{% endif %}`,
    ],
  },
  {
    name: 'alpaca',
    stop: ['### Instruction:', '### Response'],
    jinja: [
      String.raw`{% for message in messages %}{% if message['role'] == 'system' %}{{ message['content'] + '\n\n' }}{% elif message['role'] == 'user' %}{{ '### Instruction:\n' + message['content'] + '\n\n' }}{% elif message['role'] == 'assistant' %}{{ '### Response:\n' + message['content'] + eos_token + '\n\n' }}{% endif %}{% endfor %}{% if add_generation_prompt %}{{ '### Response:\n' }}{% endif %}`,
    ],
  },
  {
    name: 'command-r',
    stop: ['<|START_OF_TURN_TOKEN|>', '<|END_OF_TURN_TOKEN|>'],
    jinja: [
      String.raw`{{ bos_token }}{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}{% set system_message = messages[0]['content'] %}{% elif false == true %}{% set loop_messages = messages %}{% set system_message = 'You are Command-R, a brilliant, sophisticated, AI-assistant trained to assist human users by providing thorough responses. You are trained by Cohere.' %}{% else %}{% set loop_messages = messages %}{% set system_message = false %}{% endif %}{% if system_message != false %}{{ '<|START_OF_TURN_TOKEN|><|SYSTEM_TOKEN|>' + system_message + '<|END_OF_TURN_TOKEN|>' }}{% endif %}{% for message in loop_messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% set content = message['content'] %}{% if message['role'] == 'user' %}{{ '<|START_OF_TURN_TOKEN|><|USER_TOKEN|>' + content.strip() + '<|END_OF_TURN_TOKEN|>' }}{% elif message['role'] == 'assistant' %}{{ '<|START_OF_TURN_TOKEN|><|CHATBOT_TOKEN|>'  + content.strip() + '<|END_OF_TURN_TOKEN|>' }}{% endif %}{% endfor %}{% if add_generation_prompt %}{{ '<|START_OF_TURN_TOKEN|><|CHATBOT_TOKEN|>' }}{% endif %}`,
    ],
  },
  {
    name: 'openchat',
    stop: ['<|end_of_turn|>'],
    jinja: [
      String.raw`{{ bos_token }}{% for message in messages %}{{ 'GPT4 Correct ' + message['role'].title() + ': ' + message['content'] + '<|end_of_turn|>'}}{% endfor %}{% if add_generation_prompt %}{{ 'GPT4 Correct Assistant:' }}{% endif %}`,
    ],
  },
  {
    name: 'falcon-instruct',
    stop: ['User:', 'Assistant:'],
    jinja: [
      String.raw`{% for message in messages %}{% if message['role'] == 'user' %}{{ 'User: ' + message['content'] + '\n' }}{% elif message['role'] == 'system' %}{{ 'System: ' + message['content'] + '\n' }}{% elif message['role'] == 'assistant' %}{{ 'Falcon: ' + message['content'] + '\n' }}{% endif %}{% endfor %}{% if add_generation_prompt %}{{ 'Falcon:' }}{% endif %}`,
    ],
  },
  {
    name: 'granite-instruct',
    stop: ['System:', 'Question:', 'Answer:'],
    jinja: [
      String.raw`{% for message in messages %}{% if message['role'] == 'system' %}{{ 'System:\n' + message['content'] + '\n\n' }}{% elif message['role'] == 'user' %}{{ 'Question:\n' + message['content'] + '\n\n' }}{% elif message['role'] == 'assistant' %}{{ 'Answer:\n' + message['content'] + '\n\n' }}{% endif %}{% if loop.last and add_generation_prompt %}{{ 'Answer:\n' }}{% endif %}{% endfor %}`,
    ],
  },
  {
    name: 'solar-instruct',
    stop: ['### System:', '### User:', '### Assistant'],
    jinja: [
      String.raw`{% for message in messages %}{% if message['role'] == 'system' %}{% if message['content']%}{{'### System:\n' + message['content']+'\n\n'}}{% endif %}{% elif message['role'] == 'user' %}{{'### User:\n' + message['content']+'\n\n'}}{% elif message['role'] == 'assistant' %}{{'### Assistant:\n'  + message['content']}}{% endif %}{% if loop.last and add_generation_prompt %}{{ '### Assistant:\n' }}{% endif %}{% endfor %}`,
    ],
  },
  {
    name: 'starcoder2-instruct',
    stop: ['### Instruction', '### Response', '<|endoftext|>'],
    jinja: [
      String.raw`{{bos_token}}{{'You are an exceptionally intelligent coding assistant that consistently delivers accurate and reliable responses to user instructions.\n\n'}}
{%- for message in messages %}
    {%- if message['role'] == 'system' %}
        {{ raise_exception('System messages are not allowed in this template.') }}
    {%- else %}
        {%- if message['role'] == 'user' %}
{{'### Instruction\n' + message['content'] + '\n\n'}}
        {%- else %}
{{'### Response\n' + message['content'] + eos_token + '\n\n'}}
        {%- endif %}
    {%- endif %}
{%- endfor %}
{{'### Response\n'}}`,
    ],
  },
  {
    name: 'magicoder',
    stop: ['@@ Instruction', '@@ Response'],
    jinja: [
      String.raw`{{bos_token}}{% for message in messages %}{% if message['role'] == 'system' %}{{ message['content'] + '\n\n' }}{% elif message['role'] == 'user' %}{{ '@@ Instruction\n' + message['content'] + '\n\n' }}{% elif message['role'] == 'assistant' %}{{ '@@ Response\n' + message['content'] + eos_token + '\n\n' }}{% endif %}{% endfor %}{% if add_generation_prompt %}{{ '@@ Response\n' }}{% endif %}`,
    ],
  },
  {
    name: 'codellama-70b-instruct',
    stop: ['Source:', 'Destination:', '<step>'],
    jinja: [
      String.raw`{% if messages[0]['role'] == 'system' %}{% set user_index = 1 %}{% else %}{% set user_index = 0 %}{% endif %}{% for message in messages %}{% if (message['role'] == 'user') != ((loop.index0 + user_index) % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if loop.index0 == 0 %}{{ '<s>' }}{% endif %}{% set content = 'Source: ' + message['role'] + '\n\n ' + message['content'] | trim %}{{ content + ' <step> ' }}{% endfor %}{{'Source: assistant\nDestination: user\n\n '}}`,
    ],
  },
  {
    name: 'chatqa',
    stop: ['System:', 'User:', 'Assistant:', '<|begin_of_text|>'],
    jinja: [
      String.raw`{{ bos_token }}{%- if messages[0]['role'] == 'system' -%}{% set loop_messages = messages[1:] %}{{ 'System: ' + messages[0]['content'] }}{%- else -%}{% set loop_messages = messages %}{%- endif %}{% for message in loop_messages %}{%- if message['role'] == 'user' -%}{{ '\n\nUser: ' + message['content'] }}{%- elif message['role'] == 'assistant' -%}{{ '\n\nAssistant: ' + message['content'] }}{%- endif %}{% endfor %}{% if add_generation_prompt %}{{ '\n\nAssistant:' }}{% endif %}`,
    ],
  },
  {
    name: 'alfred',
    stop: ['<start_system>', '<end_message>', '<start_user>', '<start_assistant>'],
    jinja: [
      String.raw`{% for message in messages %}{% if message['role'] == 'user' %}{{ '<start_user>' + message['content'].strip() + '<end_message>' }}{% elif message['role'] == 'system' %}{{ '<start_system>' + message['content'].strip() + '<end_message>' }}{% elif message['role'] == 'assistant' %}{{ '<start_assistant>'  + message['content'] + '<end_message>' }}{% endif %}{% if loop.last and add_generation_prompt %}{{ '<start_assistant>' }}{% endif %}{% endfor %}`,
    ],
  },
];

function build(): KnownTemplate[] {
  return ENTRIES.map((e) => {
    const template = GO_TEMPLATES[e.name];
    if (template === undefined) throw new Error(`no Go template named ${e.name}`);
    return { name: e.name, template, ...(e.stop ? { stop: e.stop } : {}), jinja: e.jinja };
  });
}

/** Every known template, in matching order (the first wins a tie). */
export const KNOWN_TEMPLATES: readonly KnownTemplate[] = build();

/** A known template by Ollama name. */
export function knownTemplate(name: string): KnownTemplate | undefined {
  return KNOWN_TEMPLATES.find((t) => t.name === name);
}
