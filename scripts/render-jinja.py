"""Dev tool: renders chat-template test cases with Python's jinja2, to commit as test data.

    python3 scripts/render-jinja.py TEMPLATE.jinja2 < cases.json > outputs.json

(cases for gemma4: scripts/gemma4-jinja-cases.ts)

cases.json: [{"name", "messages", "tools"?, "think"?}] (messages and tools as the template
expects them). Renders with bos_token "<bos>", add_generation_prompt, tools when given and
enable_thinking when think is true (as Ollama's gemma4 reference test does). Prints {name: text}.
"""
import json
import sys

from jinja2 import Environment

tmpl = Environment().from_string(open(sys.argv[1]).read())
out = {}
for case in json.load(sys.stdin):
    kwargs = {"messages": case["messages"], "bos_token": "<bos>", "add_generation_prompt": True}
    if case.get("tools"):
        kwargs["tools"] = case["tools"]
    if case.get("think"):
        kwargs["enable_thinking"] = True
    out[case["name"]] = tmpl.render(**kwargs)
json.dump(out, sys.stdout, indent=1, ensure_ascii=False)
sys.stdout.write("\n")
