#!/usr/bin/env python3
"""Expected renders of GGUF chat templates, made with Python's jinja2 (run by hand; not a test
dependency). Renders every template in test/prompt/jinja/templates/ with the same conversations,
in the environment transformers uses for chat templates (sandboxed, trim_blocks, lstrip_blocks,
loopcontrols, its tojson, raise_exception, a fixed strftime_now), and writes
test/prompt/jinja/expected.json, which test/prompt/jinja/jinja2-cases.test.ts compares byte for
byte with Tollama's engine.

    python3 scripts/jinja-expected.py
"""
import json
import os
from datetime import datetime

import jinja2
from jinja2.ext import loopcontrols
from jinja2.sandbox import ImmutableSandboxedEnvironment

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
TEMPLATES = os.path.join(ROOT, 'test', 'prompt', 'jinja', 'templates')
OUT = os.path.join(ROOT, 'test', 'prompt', 'jinja', 'expected.json')
NOW = datetime(2026, 7, 4, 9, 5, 3)

# BOS/EOS text of each family's vocabulary.
VOCAB = {
    'qwen2.5': ('', '<|im_end|>'),
    'qwen3': ('', '<|im_end|>'),
    'qwq': ('', '<|im_end|>'),
    'deepseek-r1-distill': ('<｜begin▁of▁sentence｜>', '<｜end▁of▁sentence｜>'),
    'mistral-v0.3': ('<s>', '</s>'),
    'olmo-2': ('<|endoftext|>', '<|endoftext|>'),
    'smollm2': ('<|im_start|>', '<|im_end|>'),
    'granite-3.1': ('<|end_of_text|>', '<|end_of_text|>'),
    'phi-4': ('<|endoftext|>', '<|im_end|>'),
    'llama-3.1': ('<|begin_of_text|>', '<|eot_id|>'),
    'llama-3.2': ('<|begin_of_text|>', '<|eot_id|>'),
    'gemma2': ('<bos>', '<eos>'),
    'gemma3': ('<bos>', '<eos>'),
}


class RaisedException(Exception):
    pass


def raise_exception(message):
    raise RaisedException(message)


def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


def environment():
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols])
    env.filters['tojson'] = tojson
    env.globals['raise_exception'] = raise_exception
    env.globals['strftime_now'] = lambda fmt: NOW.strftime(fmt)
    return env


TOOLS = [
    {
        'type': 'function',
        'function': {
            'name': 'get_weather',
            'description': 'Get the current weather in a city',
            'parameters': {
                'type': 'object',
                'required': ['location'],
                'properties': {
                    'location': {'type': 'string', 'description': 'The city, e.g. Paris'},
                    'unit': {'type': 'string', 'enum': ['celsius', 'fahrenheit']},
                },
            },
        },
    },
    {
        'type': 'function',
        'function': {
            'name': 'get_time',
            'description': 'Get the local time',
            'parameters': {'type': 'object', 'properties': {'timezone': {'type': 'string'}}},
        },
    },
]


SEARCH = {'type': 'function', 'function': {'name': 'brave_search', 'description': 'Search the web', 'parameters': {'type': 'object', 'required': ['query'], 'properties': {'query': {'type': 'string'}}}}}


class Watched(dict):
    """A dict that notes when the template looks `key` up (llama.cpp's value-use stats)."""

    def __init__(self, d, key, seen):
        super().__init__(d)
        self._key, self._seen = key, seen

    def __getitem__(self, k):
        if k == self._key:
            self._seen[0] = True
        return super().__getitem__(k)


def args_form(env, source):
    """llama.cpp de3ff81 common/jinja/caps.cpp:215-307: object arguments when the template reads
    messages[1].tool_calls and the argument `arg` of an object (looked up, or printed by tojson)."""
    calls_seen, arg_seen = [False], [False]
    args = Watched({'arg': 'value'}, 'arg', arg_seen)
    call = {'id': 'call00001', 'type': 'function', 'function': {'name': 'tool1', 'arguments': args}}
    msgs = [
        {'role': 'user', 'content': 'User message'},
        Watched({'role': 'assistant', 'content': '', 'tool_calls': [call]}, 'tool_calls', calls_seen),
        {'role': 'tool', 'content': 'Tool response', 'tool_call_id': 'call00001'},
        {'role': 'assistant', 'content': "The tool response was 'tool response'"},
        {'role': 'user', 'content': 'User message'},
    ]
    tools = [{'name': 'tool', 'type': 'function', 'function': {'name': 'tool1', 'description': 'Tool description', 'parameters': {
        'type': 'object', 'properties': {'arg': {'type': 'string', 'description': 'Arg description'}}, 'required': ['arg']}}}]
    try:
        out = env.from_string(source).render(messages=msgs, tools=tools, add_generation_prompt=True, bos_token='', eos_token='')
    except Exception:
        return 'string'
    return 'object' if calls_seen[0] and (arg_seen[0] or '"arg"' in out) else 'string'


def call(form, id, name, args):
    a = args if form == 'object' else json.dumps(args, separators=(',', ':'), ensure_ascii=False)
    return {'type': 'function', 'function': {'name': name, 'arguments': a}, 'id': id}


def cases(form):
    think = {'role': 'assistant', 'content': '<think>\nThe user greets me.\n</think>\n\nHello! How can I help?'}
    return [
        ('basic', {'messages': [{'role': 'user', 'content': 'Hello!'}]}),
        ('system', {'messages': [{'role': 'system', 'content': 'You are a pirate.'}, {'role': 'user', 'content': 'Hi'}]}),
        ('multi-turn', {'messages': [
            {'role': 'system', 'content': 'Be brief.'},
            {'role': 'user', 'content': 'What is 2+2?'},
            {'role': 'assistant', 'content': '4'},
            {'role': 'user', 'content': 'And 3+3?'},
        ]}),
        ('no-generation-prompt', {'add_generation_prompt': False, 'messages': [
            {'role': 'user', 'content': 'Name a colour.'},
            {'role': 'assistant', 'content': 'Blue.'},
        ]}),
        ('tools', {'tools': TOOLS, 'messages': [
            {'role': 'system', 'content': 'You are a weather bot.'},
            {'role': 'user', 'content': "What's the weather in Paris?"},
        ]}),
        ('tool-round-trip', {'tools': TOOLS, 'messages': [
            {'role': 'user', 'content': "What's the weather in Paris?"},
            {'role': 'assistant', 'content': '', 'tool_calls': [call(form, 'abc123DEF', 'get_weather', {'location': 'Paris', 'unit': 'celsius'})]},
            {'role': 'tool', 'content': '{"temperature": 22}', 'name': 'get_weather', 'tool_call_id': 'abc123DEF'},
        ]}),
        ('two-tool-calls', {'tools': TOOLS, 'messages': [
            {'role': 'user', 'content': 'Weather and time in Oslo?'},
            {'role': 'assistant', 'content': 'Checking both.', 'tool_calls': [
                call(form, 'abc123DEF', 'get_weather', {'location': 'Oslo'}),
                call(form, 'xyz789GHI', 'get_time', {'timezone': 'Europe/Oslo'}),
            ]},
            {'role': 'tool', 'content': 'sunny', 'name': 'get_weather', 'tool_call_id': 'abc123DEF'},
            {'role': 'tool', 'content': '10:00', 'name': 'get_time', 'tool_call_id': 'xyz789GHI'},
        ]}),
        ('thinking-on', {'enable_thinking': True, 'messages': [
            {'role': 'user', 'content': 'Hi'}, think, {'role': 'user', 'content': 'Tell me a joke.'},
        ]}),
        ('thinking-off', {'enable_thinking': False, 'messages': [
            {'role': 'user', 'content': 'Hi'}, think, {'role': 'user', 'content': 'Tell me a joke.'},
        ]}),
        ('builtin-tools', {'builtin_tools': ['brave_search', 'code_interpreter'], 'tools': [SEARCH], 'messages': [
            {'role': 'user', 'content': 'Search the news.'},
            {'role': 'assistant', 'content': '', 'tool_calls': [call(form, 'abc123DEF', 'brave_search', {'query': 'news'})]},
            {'role': 'tool', 'content': 'nothing new', 'name': 'brave_search', 'tool_call_id': 'abc123DEF'},
        ]}),
        ('special-characters', {'messages': [
            {'role': 'system', 'content': '  Quotes " \' and \\ backslash  \n'},
            {'role': 'user', 'content': 'héllo 🌍 <b>&amp;</b>\n\n  indented\t'},
        ]}),
    ]


# Small templates for what the family templates above do not reach: how values print, filters,
# tests, loops, macros, whitespace control.
SNIPPETS = [
    "{{ messages[0] }}",
    "{{ {'a': 1, 'b': [1, 2.5, none, true], 'c': \"it's\"} }}",
    "{{ [1, 'x', none, false] }} {{ (1, 2) }}",
    "{{ none }}|{{ true }}|{{ false }}|{{ undefined_name }}|{{ 1.0 }}|{{ 10 / 4 }}|{{ 10 // 4 }}|{{ 7 % 3 }}",
    "{{ 'héllo 🌍 \\n' | tojson }} {{ {'k': '<&>', 'n': none} | tojson }}",
    "{{ tools | tojson(indent=2) }}",
    "{{ messages | tojson }}",
    "{{ 'abc'.title() }} {{ 'a-b'.split('-') }} {{ ' x '.strip() }}|{{ 'abc'[::-1] }} {{ 'abc'[1:] }}",
    "{% for k, v in {'b': 1, 'a': 2} | dictsort %}{{ k }}={{ v }};{% endfor %}{% for k, v in {'b': 1, 'a': 2}.items() %}{{ k }}={{ v }};{% endfor %}",
    "{{ 'a\\nb' | indent(2) }}|{{ [3, 1, 2] | sort | join(',') }}|{{ 'ABC' | lower }}|{{ 'hi' | capitalize }}",
    "{%- set x = namespace(a=1) %}{% set x.a = x.a + 1 %}{{ x.a }}",
    "{{ messages[0]['content'] | replace('i', 'I') }}",
    "{{ 'a' is string }} {{ 1 is number }} {{ {} is mapping }} {{ [] is sequence }} {{ none is none }}",
    "{{ range(3) | list }} {{ range(5, 0, -2) | list }}",
    "{{ 'a' in 'cat' }} {{ 'role' in messages[0] }} {{ messages[0].content.startswith('H') }}",
    "{{ -3 | abs }} {{ 3.7 | int }} {{ '5' | int + 1 }} {{ 2 | float }}",
    "{{ 'x' | string }} {{ 5 | string }} {{ true | string }} {{ none | string }} {{ [1, none] | string }}",
    "{% for m in [1, 2, 3] %}{{ loop.index }}{{ loop.revindex }}{{ loop.length }}{{ loop.first }}{% if loop.last %}.{% endif %}{% endfor %}",
    "{% for m in [1, 2, 3, 4] %}{% if m == 2 %}{% continue %}{% endif %}{% if m == 4 %}{% break %}{% endif %}{{ m }}{% endfor %}",
    "{% macro f(a, b='x') %}{{ a }}{{ b }}{% endmacro %}{{ f(1) }}{{ f(2, b='y') }}",
    "  {% if true %}\n  x\n  {% endif %}\n  y  \n",
    "{{ [1, 2] + [3] }} {{ 5 > 3 and 'a' or 'b' }} {{ 'x' if none else 'y' }}",
    "{{ messages | selectattr('role', 'equalto', 'user') | map(attribute='content') | list }}",
    "{{ messages | length }} {{ (messages | last).role }} {{ [1, 2, 3] | first }} {{ [1, 2, 3][-1] }}",
    "{%- if messages -%}\n  yes\n{%- endif -%}\n",
    "{{ ['a', 'b', 'c'] | reject('equalto', 'b') | join(',') }} {{ [0, 1, 2, none, ''] | select | list }} {{ [1, 2, 3, 4] | select('odd') | list }}",
]


def main():
    env = environment()
    out = {'jinja2': jinja2.__version__, 'now': NOW.isoformat(), 'templates': {}}
    for file in sorted(os.listdir(TEMPLATES)):
        if not file.endswith('.jinja'):
            continue
        name = file[:-len('.jinja')]
        with open(os.path.join(TEMPLATES, file), encoding='utf-8') as f:
            source = f.read()
        bos, eos = VOCAB[name]
        form = args_form(env, source)
        results = []
        for case, extra in cases(form):
            vars = {'add_generation_prompt': True, 'bos_token': bos, 'eos_token': eos, 'enable_thinking': True}
            vars.update(extra)
            entry = {'name': case, 'vars': vars}
            try:
                entry['expected'] = env.from_string(source).render(**vars)
            except RaisedException as e:
                entry['raises'] = str(e)
            except Exception as e:
                entry['error'] = f'{type(e).__name__}: {e}'
            results.append(entry)
        out['templates'][name] = {'args_form': form, 'cases': results}
    snippet_vars = {'messages': [{'role': 'user', 'content': 'Hi "there"'}], 'tools': TOOLS}
    out['snippets'] = {'vars': snippet_vars, 'cases': [{'source': s, 'expected': env.from_string(s).render(**snippet_vars)} for s in SNIPPETS]}
    with open(OUT, 'w', encoding='utf-8') as f:
        json.dump(out, f, ensure_ascii=False, indent=1)
        f.write('\n')
    n = sum(len(t['cases']) for t in out['templates'].values())
    print(f'wrote {n} cases for {len(out["templates"])} templates to {os.path.relpath(OUT, ROOT)}')


if __name__ == '__main__':
    main()
