/**
 * What a chat template can take, found as llama.cpp de3ff81 finds it (common/jinja/caps.cpp
 * caps_get): the template is rendered with fixed probe conversations and llama.cpp looks at which
 * input values the template *used*. Its own Jinja runtime records every value that is read;
 * here a read is seen when the template looks a watched key up in its object (the library's
 * member access), or when the value's text shows in the output (`tojson` of a whole list reads
 * every value in llama.cpp too). That is close but not identical: a value reached only through
 * `items()` or `in` is not seen here.
 */
import { compileJinja, renderJinja } from './engine.js';
import type { RuntimeValue } from './compat.js';

export interface TemplateCaps {
  /** The template reads a first system message (else: merged into the next message). */
  systemRole: boolean;
  /** The template reads `tools`. */
  tools: boolean;
  /** The template reads `message.tool_calls`. */
  toolCalls: boolean;
  /** The template reads tool-call arguments as an object (else: the JSON text). */
  objectArguments: boolean;
  /** String content works (else: only typed content parts). */
  stringContent: boolean;
  /** Typed content parts work. */
  typedContent: boolean;
}

type Path = readonly (string | number)[];

interface Probe {
  ok: boolean;
  out: string;
  used: boolean[];
}

const PROBE_LIMITS = { maxSteps: 200_000, maxOutput: 1 << 20 };

/** Renders a probe, noting which watched values the template looked up. */
function probe(template: string, vars: Record<string, unknown>, watch: readonly Path[]): Probe {
  const used = watch.map(() => false);
  const onGlobals = (variables: ReadonlyMap<string, RuntimeValue>) => {
    watch.forEach((path, i) => {
      let v: RuntimeValue | undefined = variables.get(String(path[0]));
      for (const key of path.slice(1, -1)) {
        if (!v) return;
        v = Array.isArray(v.value) ? (v.value as RuntimeValue[])[key as number] : v.value instanceof Map ? (Map.prototype.get.call(v.value, String(key)) as RuntimeValue | undefined) : undefined;
      }
      const map = v?.value;
      if (!(map instanceof Map)) return;
      const last = String(path.at(-1));
      const get = map.get.bind(map);
      map.get = (k: string) => {
        if (k === last) used[i] = true;
        return get(k);
      };
    });
  };
  try {
    const out = renderJinja(compileJinja(template), { bos_token: '', eos_token: '', add_generation_prompt: true, tools: [], ...vars }, PROBE_LIMITS, onGlobals);
    return { ok: true, out, used };
  } catch {
    return { ok: false, out: '', used };
  }
}

// The probe conversations of caps.cpp, as data.
const STRING_MARKER = 'STRING_MARKER';
const PROBE_TOOLS = [
  {
    name: 'tool',
    type: 'function',
    function: {
      name: 'tool1',
      description: 'Tool description',
      parameters: { type: 'object', properties: { arg: { type: 'string', description: 'Arg description' } }, required: ['arg'] },
    },
  },
];

function toolConversation(args: unknown): Record<string, unknown>[] {
  return [
    { role: 'user', content: 'User message' },
    { role: 'assistant', content: '', tool_calls: [{ id: 'call00001', type: 'function', function: { name: 'tool1', arguments: args } }] },
    { role: 'tool', content: 'Tool response', tool_call_id: 'call00001' },
    { role: 'assistant', content: "The tool response was 'tool response'" },
    { role: 'user', content: 'User message' },
  ];
}

function detect(template: string): TemplateCaps {
  const caps: TemplateCaps = { systemRole: true, tools: true, toolCalls: true, objectArguments: false, stringContent: true, typedContent: false };

  // caps.cpp:118-183 (typed content): string content fails, or is read without showing
  // (llama.cpp: read as a list), while a list of text parts renders.
  const asString = probe(template, { messages: [{ role: 'user', content: STRING_MARKER }] }, []);
  if (!asString.ok || !asString.out.includes(STRING_MARKER)) {
    const typed = probe(template, { messages: [{ role: 'user', content: [{ type: 'text', text: STRING_MARKER }] }] }, []);
    if (typed.ok && typed.out.includes(STRING_MARKER)) {
      caps.typedContent = true;
      caps.stringContent = false;
    }
  }

  // caps.cpp:186-212 (system prompt): messages[0].content of a system message is never read.
  const sys = probe(template, { messages: [{ role: 'system', content: 'System message' }, { role: 'user', content: 'User message' }] }, [['messages', 0, 'content']]);
  if (!sys.used[0] && !sys.out.includes('System message')) caps.systemRole = false;

  // caps.cpp:215-307 (object arguments), then caps.cpp:309-397 (string arguments).
  const watch: Path[] = [
    ['tools', 0, 'function', 'name'],
    ['messages', 1, 'tool_calls'],
    ['messages', 1, 'tool_calls', 0, 'function', 'arguments', 'arg'],
  ];
  const obj = probe(template, { messages: toolConversation({ arg: 'value' }), tools: PROBE_TOOLS }, watch);
  if (obj.ok) {
    if (!obj.used[0] && !obj.out.includes('Tool description')) caps.tools = false;
    if (!obj.used[1]) caps.toolCalls = false;
    else if (obj.used[2] || obj.out.includes('"arg"')) caps.objectArguments = true;
  }
  if (!caps.objectArguments) {
    const str = probe(template, { messages: toolConversation('{"arg": "value"}'), tools: PROBE_TOOLS }, watch);
    if (!str.ok) {
      caps.toolCalls = false;
      caps.tools = false;
    } else {
      if (!str.used[0] && !str.out.includes('Tool description')) caps.tools = false;
      if (!str.used[1]) caps.toolCalls = false;
    }
  }
  return caps;
}

const cache = new Map<string, TemplateCaps>();

/** The template's capabilities (cached per template text). */
export function templateCaps(template: string): TemplateCaps {
  let caps = cache.get(template);
  if (!caps) {
    caps = detect(template);
    cache.set(template, caps);
    if (cache.size > 32) cache.delete(cache.keys().next().value!);
  }
  return caps;
}
