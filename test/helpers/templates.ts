/** Ollama-style chat templates for test models (with addModel's `template`). */

/** qwen3-shaped: tools in the system turn, `<think>` around .Thinking, `<tool_call>` for calls. */
export const QWEN3 = `{{- if .Tools }}<|im_start|>system
<tools>
{{- range .Tools }}
{{ . }}
{{- end }}
</tools>
For each function call, return a json object within <tool_call></tool_call> XML tags.<|im_end|>
{{ end }}
{{- range $i, $_ := .Messages }}
{{- $last := eq (len (slice $.Messages $i)) 1 -}}
{{- if eq .Role "user" }}<|im_start|>user
{{ .Content }}<|im_end|>
{{ else if eq .Role "assistant" }}<|im_start|>assistant
{{ if .Thinking }}<think>{{ .Thinking }}</think>
{{ end }}
{{- if .Content }}{{ .Content }}
{{- else if .ToolCalls }}<tool_call>
{{ range .ToolCalls }}{"name": "{{ .Function.Name }}", "arguments": {{ .Function.Arguments }}}
{{ end }}</tool_call>
{{- end }}{{ if not $last }}<|im_end|>
{{ end }}
{{- else if eq .Role "tool" }}<|im_start|>user
<tool_response>
{{ .Content }}
</tool_response><|im_end|>
{{ end }}
{{- if and (ne .Role "assistant") $last }}<|im_start|>assistant
{{ if and $.IsThinkSet (not $.Think) }}<think>

</think>

{{ end }}
{{- end }}
{{- end }}`;

/** deepseek-r1-shaped: the generation prompt opens the thinking block when think is on. */
export const R1 = `{{- range .Messages }}{{ if eq .Role "user" }}User: {{ .Content }}
{{ else if eq .Role "assistant" }}Assistant: {{ if .Thinking }}<think>{{ .Thinking }}</think>{{ end }}{{ .Content }}
{{ end }}{{ end }}Assistant:{{ if $.Think }} <think>
{{ end }}`;
