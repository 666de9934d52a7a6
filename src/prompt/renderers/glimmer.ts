/**
 * `glimmer`: `<|begin_of_text|>`, `<|start|>header<|message|>…<|eot|>` messages, a system turn
 * with knowledge cutoff, current date and "Reasoning strength", tools as JSON schemas grouped
 * by namespace, `<atem:function_calls>` tool calls addressed `to=<function>`.
 */
import type { Message, Tool } from '../../api/types.js';
import { addJSONSpaces, goV, marshal, parametersJSON } from './gojson.js';
import { renderContentWithImageTags } from './images.js';
import { isThinkSet, thinkBool, type Renderer, type Think } from './types.js';

const BOS = '<|begin_of_text|>';
const EOM = '<|eom|>';
const EOT = '<|eot|>';
const DEFAULT_SYSTEM = 'You are a helpful AI assistant.';
const CUTOFF = '2026-01-04';

const TOOLS_PREFIX = `In this environment you have access to a set of tools you can use to answer the user's question.

You can invoke a function by writing a "<atem:function_calls>" block like the following:
<atem:function_calls>
<atem:invoke name="$FUNCTION_NAME">
<atem:parameter name="$PARAMETER_NAME">$PARAMETER_VALUE</atem:parameter>
...
</atem:invoke>
</atem:function_calls>

String and scalar parameters should be specified as is, while lists and objects should use JSON format. Note that spaces for string values are not stripped. The output is not expected to be valid XML and is parsed with regular expressions.
Here are the functions available in JSONSchema format:
// Tool metadata
`;

const TOOLS_SUFFIX = `

Here's an example of how to call a function in the tool set:
(If the tool namespace is not specified, invoke the function directly as \`example_function_name\` rather than \`example_tool_name.example_function_name\`)

to=example_tool_name.example_function_name

<atem:function_calls>
<atem:invoke name="example_tool_name.example_function_name">
<atem:parameter name="example_parameter_1">value_1</atem:parameter>
<atem:parameter name="example_parameter_2">This is the value for the second parameter
that can span
"multiple" lines
</atem:parameter>
</atem:invoke>
</atem:function_calls>`;

/** Transformers' tojson: Go's encoder without HTML escaping, ", " and ": " separators. */
export function glimmerJSON(v: unknown): string {
  const json = marshal(v).replace(/\\(u003c|u003e|u0026|.)/g, (m, e: string) => (e === 'u003c' ? '<' : e === 'u003e' ? '>' : e === 'u0026' ? '&' : m));
  return addJSONSpaces(json);
}

function strength(think: Think): string {
  if (!isThinkSet(think)) return 'high';
  if (!thinkBool(think)) return 'none';
  return typeof think === 'string' ? think : 'high';
}

const normalizeReasoning = (s: string): string => s.replace(/Reasoning effort|Reasoning Effort|reasoning effort|REASONING EFFORT/g, (m) => m.replace(/effort/, 'strength').replace(/Effort/, 'Strength').replace(/EFFORT/, 'STRENGTH'));

function namespaces(tools: readonly Tool[]): string[] {
  const out: string[] = [];
  for (const t of tools) {
    const name = t.function?.name ?? '';
    const dot = name.indexOf('.');
    const ns = dot >= 0 ? name.slice(0, dot) : name;
    if (!out.includes(ns)) out.push(ns);
  }
  return out;
}

function toolDefinitions(tools: readonly Tool[]): string {
  let sb = TOOLS_PREFIX;
  for (const ns of namespaces(tools)) sb += `{"name": ${glimmerJSON(ns)}, "description": ${glimmerJSON('')}}\n`;
  sb += '// Function schemas';
  for (const t of tools) {
    sb += `\n{"name": ${glimmerJSON(t.function?.name ?? '')}, "description": ${glimmerJSON(t.function?.description ?? '')}, "parameters": ${glimmerJSON(parametersJSON(t.function?.parameters))}}`;
  }
  return sb + TOOLS_SUFFIX;
}

function systemTurn(content: string, tools: readonly Tool[], strengthText: string, date: string, isDefault: boolean): string {
  if (!isDefault) content = normalizeReasoning(content);
  let sb = `<|start|>system<|message|>${content}`;
  if (isDefault) sb += `\nKnowledge cutoff: ${CUTOFF}.\nCurrent date: ${date}.`;
  if (isDefault || !content.toLowerCase().includes('reasoning strength')) sb += `\n\nReasoning strength: ${strengthText}.`;
  if (tools.length > 0) sb += `\n\n${toolDefinitions(tools)}`;
  sb += `\n\n# Valid recipients: "self"${namespaces(tools).map((ns) => `, "${ns}.*"`).join('')}, "user".`;
  return sb + EOT;
}

function toolResultName(m: Message, messages: readonly Message[]): string {
  if (m.tool_name) return m.tool_name;
  let name = m.tool_call_id ?? '';
  if (name === '') return name;
  for (const c of messages) for (const call of c.tool_calls ?? []) if (call.id === m.tool_call_id) name = call.function.name;
  return name;
}

function atem(call: NonNullable<Message['tool_calls']>[number]): string {
  let sb = `<atem:function_calls>\n<atem:invoke name="${call.function.name}">\n`;
  for (const [k, v] of Object.entries(call.function.arguments ?? {})) {
    const value = v === null || v === undefined ? 'null' : typeof v === 'object' ? glimmerJSON(v) : goV(v);
    sb += `<atem:parameter name="${k}">${value}</atem:parameter>\n`;
  }
  return `${sb}</atem:invoke>\n</atem:function_calls>`;
}

/** Today in the server's local time zone, as Go's time.Now().Format(time.DateOnly). */
function today(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

export class GlimmerRenderer implements Renderer {
  readonly leadingBOS = BOS;
  constructor(private readonly o: { useImgTags: boolean; currentDate?: string }) {}

  private content(m: Message, offset: number): [string, number] {
    const n = m.images?.length ?? 0;
    if (this.o.useImgTags) return renderContentWithImageTags(m.content ?? '', n, offset);
    return ['<|patch|>'.repeat(n) + (m.content ?? ''), offset + n];
  }

  render(messages: readonly Message[], tools: readonly Tool[] | null | undefined, think: Think): string {
    let sb = BOS;
    const toolList = tools ?? [];
    const s = strength(think);
    if (!messages.some((m) => m.role === 'system')) sb += systemTurn(DEFAULT_SYSTEM, toolList, s, this.o.currentDate || today(), true);
    let offset = 0;
    messages.forEach((m, i) => {
      const [content, next] = this.content(m, offset);
      offset = next;
      const end = i + 1 < messages.length && messages[i + 1]!.role === m.role ? EOM : EOT;
      switch (m.role) {
        case 'system': sb += systemTurn(content, toolList, s, '', false); break;
        case 'user': sb += `<|start|>user<|message|>${content}${EOT}`; break;
        case 'tool': {
          const name = toolResultName(m, messages);
          sb += `<|start|>tool ${name}<|message|><tool_output name="${name}">\n${content}\n</tool_output>${EOT}`;
          break;
        }
        case 'assistant': {
          const thinking = m.thinking ?? '';
          if (thinking !== '') sb += `<|start|>assistant to=self<|message|>${thinking}${EOM}`;
          const calls = m.tool_calls ?? [];
          if (calls.length > 0) {
            calls.forEach((call, j) => {
              sb += `<|start|>assistant to=${call.function.name}<|message|>${atem(call)}${j + 1 === calls.length ? end : EOM}`;
            });
          } else if (content !== '' || thinking === '') {
            sb += `<|start|>assistant to=user<|message|>${content}${EOT}`;
          }
          break;
        }
        default: break;
      }
    });
    return `${sb}<|start|>assistant`;
  }
}
