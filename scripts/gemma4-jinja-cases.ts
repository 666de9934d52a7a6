/**
 * Dev tool: the Jinja inputs of Ollama's gemma4 renderer tests (test/prompt/renderers/testdata/
 * gemma4_reference.json), shaped as its renderWithJinja2Template shapes them (thinking as
 * `reasoning`, tool_name as `name`, tools as Go marshals them), for scripts/render-jinja.py:
 *
 *   npx vite-node scripts/gemma4-jinja-cases.ts -- parity|reference > cases.json
 *   python3 scripts/render-jinja.py gemma4_31b_chat_template.jinja2 < cases.json
 *
 * (the templates are Ollama's model/renderers/testdata/gemma4_{e2b,31b}_chat_template.jinja2).
 */
import { marshal, toolJSON } from '../src/prompt/renderers/gojson.js';
import { goTests } from '../test/prompt/renderers/cases.js';

const T = goTests('gemma4_reference');
const which = process.argv.slice(2).find((a) => a !== '--');
const tests =
  which === 'parity'
    ? T.TestGemma4RendererMatchesJinja2ExpandedParity!.tests
    : T.TestGemma4RendererMatchesReference!.tests.filter((c: { skipJinja2?: boolean }) => !c.skipJinja2);
const cases = tests.map((c: any) => ({
  name: c.name,
  messages: c.messages.map((m: any) => {
    const j: any = { role: m.role, content: m.content ?? '' };
    if (m.thinking) j.reasoning = m.thinking;
    if (m.tool_calls?.length) {
      j.tool_calls = m.tool_calls.map((tc: any) => ({ ...(tc.id ? { id: tc.id } : {}), function: { name: tc.function.name, arguments: tc.function.arguments ?? null } }));
    }
    if (m.tool_name) j.name = m.tool_name;
    if (m.tool_call_id) j.tool_call_id = m.tool_call_id;
    return j;
  }),
  ...(c.tools?.length ? { tools: JSON.parse(marshal(c.tools.map(toolJSON))) } : {}),
  ...(c.think === true ? { think: true } : {}),
}));
process.stdout.write(JSON.stringify(cases));
