/**
 * Ollama's named Go templates (the text of its template/<name>.gotmpl files, as recorded in
 * ../shared/reference/template-corpus.json). Generated data: edit by hand only to add entries.
 */

export const GO_TEMPLATES: Readonly<Record<string, string>> = {
  "alfred":
    "{{- range .Messages }}<start_{{ .Role }}>{{ .Content }}<end_message>\n{{- end }}<start_assistant>",
  "alpaca":
    "{{- $system := \"\" }}\n{{- range .Messages }}\n{{- if eq .Role \"system\" }}\n{{- if not $system }}{{ $system = .Content }}\n{{- else }}{{ $system = printf \"%s\\n\\n%s\" $system .Content }}\n{{- end }}\n{{- else if eq .Role \"user\" }}\n{{- if $system }}{{ $system }}\n\n{{ $system = \"\" }}\n{{- end }}### Instruction:\n{{ .Content }}\n\n{{ else if eq .Role \"assistant\" }}### Response:\n{{ .Content }}\n\n{{ end }}\n{{- end }}### Response:\n",
  "chatml":
    "{{- range .Messages }}<|im_start|>{{ .Role }}\n{{ .Content }}<|im_end|>\n{{ end }}<|im_start|>assistant\n",
  "chatqa":
    "{{- range .Messages }}\n{{- if eq .Role \"system\" }}System:\n{{- else if eq .Role \"user\" }}User:\n{{- else if eq .Role \"assistant\" }}Assistant:\n{{- end }} {{ .Content }}\n\n{{ end }}Assistant:",
  "codellama-70b-instruct":
    "{{- range .Messages }}Source:\n{{- if eq .Role \"system\" }} system\n{{- else if eq .Role \"user\" }} user\n{{- else if eq .Role \"assistant\" }} assistant\n{{- end }}\n\n {{ .Content }} <step> {{ end }}Source: assistant\nDestination: user\n\n ",
  "command-r":
    "{{- if or .Tools .System }}<|START_OF_TURN_TOKEN|><|SYSTEM_TOKEN|>\n{{- if .Tools }}# Safety Preamble\nThe instructions in this section override those in the task description and style guide sections. Don't answer questions that are harmful or immoral.\n\n# System Preamble\n## Basic Rules\nYou are a powerful conversational AI trained by Cohere to help people. You are augmented by a number of tools, and your job is to use and consume the output of these tools to best help the user. You will see a conversation history between yourself and a user, ending with an utterance from the user. You will then see a specific instruction instructing you what kind of response to generate. When you answer the user's requests, you cite your sources in your answers, according to those instructions.\n\n{{ if .System }}# User Preamble\n{{ .System }}\n{{- end }}\n\n## Available Tools\nHere is a list of tools that you have available to you:\n{{- range .Tools }}\n\n```python\ndef {{ .Function.Name }}(\n{{- range $name, $property := .Function.Parameters.Properties }}{{ $name }}: {{ $property.Type }}, {{ end }}) -> List[Dict]:\n    '''{{ .Function.Description }}\n\n{{- if .Function.Parameters.Properties }}\n\n    Args:\n{{- range $name, $property := .Function.Parameters.Properties }}\n        {{ $name }} ({{ $property.Type }}): {{ $property.Description }}\n{{- end }}\n{{- end }}\n    '''\n    pass\n```\n{{- end }}\n{{- else if .System }}{{ .System }}\n{{- end }}<|END_OF_TURN_TOKEN|>\n{{- end }}\n{{- range .Messages }}\n{{- if eq .Role \"system\" }}\n{{- continue }}\n{{- end }}<|START_OF_TURN_TOKEN|>\n{{- if eq .Role \"user\" }}<|USER_TOKEN|>{{ .Content }}\n{{- if $.Tools }}<|START_OF_TURN_TOKEN|><|SYSTEM_TOKEN|>Write 'Action:' followed by a json-formatted list of actions that you want to perform in order to produce a good response to the user's last input. You can use any of the supplied tools any number of times, but you should aim to execute the minimum number of necessary actions for the input. You should use the `directly-answer` tool if calling the other tools is unnecessary. The list of actions you want to call should be formatted as a list of json objects, for example:\n```json\n[\n    {\n        \"tool_name\": title of the tool in the specification,\n        \"parameters\": a dict of parameters to input into the tool as they are defined in the specs, or {} if it takes no parameters\n    }\n]```\n{{- end }}\n{{- else if eq .Role \"assistant\" }}<|CHATBOT_TOKEN|>\n{{- if .Content }}{{ .Content }}\n{{- else if .ToolCalls }}\nAction: ```json\n[\n{{- range .ToolCalls }}\n    {\n        \"tool_name\": \"{{ .Function.Name }}\",\n        \"parameters\": {{ .Function.Arguments }}\n    }\n{{- end }}\n]```\n{{- end }}\n{{- else if eq .Role \"tool\" }}<|SYSTEM_TOKEN|><results>\nconsole_output: {{ .Content }}\n</results>\n{{- end }}<|END_OF_TURN_TOKEN|>\n{{- end }}<|END_OF_TURN_TOKEN|><|START_OF_TURN_TOKEN|><|CHATBOT_TOKEN|>\n",
  "falcon-instruct":
    "{{- range .Messages }}\n{{- if eq .Role \"system\" }}System: {{ .Content }}\n{{ continue }}\n{{- else if eq .Role \"user\" }}User:\n{{- else if eq .Role \"assistant\" }}Falcon:\n{{- end }}\n{{ .Content }}\n{{ end }}Falcon:\n",
  "gemma-instruct":
    "{{- $system := \"\" }}\n{{- range .Messages }}\n{{- if eq .Role \"system\" }}\n{{- if not $system }}{{ $system = .Content }}\n{{- else }}{{ $system = printf \"%s\\n\\n%s\" $system .Content }}\n{{- end }}\n{{- continue }}\n{{- else if eq .Role \"user\" }}<start_of_turn>user\n{{- if $system }}\n{{ $system }}\n{{- $system = \"\" }}\n{{- end }}\n{{- else if eq .Role \"assistant\" }}<start_of_turn>model\n{{- end }}\n{{ .Content }}<end_of_turn>\n{{ end }}<start_of_turn>model\n",
  "gemma3-instruct":
    "{{- range $i, $_ := .Messages }}\n{{- $last := eq (len (slice $.Messages $i)) 1 }}\n{{- if eq .Role \"user\" }}<start_of_turn>user\n{{- if and (eq $i 1) $.System }}\n{{ $.System }}\n{{ end }}\n{{ .Content }}<end_of_turn>\n{{ else if eq .Role \"assistant\" }}<start_of_turn>model\n{{ .Content }}<end_of_turn>\n{{ end }}\n{{- if $last }}<start_of_turn>model\n{{ end }}\n{{- end }}\n",
  "granite-instruct":
    "{{- range .Messages }}\n{{- if eq .Role \"system\" }}System:\n{{- else if eq .Role \"user\" }}Question:\n{{- else if eq .Role \"assistant\" }}Answer:\n{{- end }}\n{{ .Content }}\n\n{{ end }}Answer:\n",
  "llama2-chat":
    "{{- $system := \"\" }}[INST] {{ range .Messages }}\n{{- if eq .Role \"system\" }}\n{{- if not $system }}{{ $system = .Content }}\n{{- else }}{{ $system = printf \"%s\\n\\n%s\" $system .Content }}\n{{- end }}\n{{- else if eq .Role \"user\" }}<<SYS>>\n{{- if $system }}\n{{ $system }}\n{{ $system = \"\" }}\n{{- end }}<</SYS>>\n\n{{ .Content }} [/INST]\n{{- else if eq .Role \"assistant\" }} {{ .Content }}</s><s>[INST] {{ end }}\n{{- end }}",
  "llama3-instruct":
    "{{- range .Messages }}<|start_header_id|>{{ .Role }}<|end_header_id|>\n\n{{ .Content }}<|eot_id|>\n{{- end }}<|start_header_id|>assistant<|end_header_id|>\n\n",
  "magicoder":
    "{{- $system := \"\" }}\n{{- range .Messages }}\n{{- if eq .Role \"system\" }}\n{{- if not $system }}{{ $system = .Content }}\n{{- else }}{{ $system = printf \"%s\\n\\n%s\" $system .Content }}\n{{- end }}\n{{- continue }}\n{{- else if eq .Role \"user\" }}\n{{- if $system }}{{ $system }}\n\n{{ $system = \"\" }}\n{{- end }}@@ Instruction\n{{- else if eq .Role \"assistant\" }}@@ Response\n{{- end }}\n{{ .Content }}\n\n{{ end }}@@ Response\n",
  "mistral-instruct":
    "[INST] {{ range $index, $_ := .Messages }}\n{{- if eq .Role \"system\" }}{{ .Content }}\n\n{{ else if eq .Role \"user\" }}{{ .Content }}[/INST]\n{{- else if eq .Role \"assistant\" }} {{ .Content }}</s>[INST] {{ end }}\n{{- end }}",
  "openchat":
    "{{- range .Messages }}GPT4 Correct\n{{- if eq .Role \"system\" }} System:\n{{- else if eq .Role \"user\" }} User:\n{{- else if eq .Role \"assistant\" }} Assistant:\n{{- end }} {{ .Content }}<|end_of_turn|>\n{{- end }}GPT4 Correct Assistant:",
  "phi-3":
    "{{- range .Messages }}<|{{ .Role }}|>\n{{ .Content }}<|end|>\n{{ end }}<|assistant|>\n",
  "solar-instruct":
    "{{- range .Messages }}\n{{- if eq .Role \"system\" }}### System:\n{{- else if eq .Role \"user\" }}### User:\n{{- else if eq .Role \"assistant\" }}### Assistant:\n{{ .Content }}</s>\n\n{{ continue }}\n{{- end }}\n{{ .Content }}\n\n{{ end }}### Assistant:\n",
  "starcoder2-instruct":
    "{{- $system := \"\" }}\n{{- range .Messages }}\n{{- if eq .Role \"system\" }}\n{{- if not $system }}{{ $system = .Content }}\n{{- else }}{{ $system = printf \"%s\\n\\n%s\" $system .Content }}\n{{- end }}\n{{- else if eq .Role \"user\" }}\n{{- if $system }}{{ $system }}\n\n{{ $system = \"\" }}\n{{- end }}### Instruction\n{{ .Content }}\n\n{{ else if eq .Role \"assistant\" }}### Response\n{{ .Content }}<|endoftext|>\n\n{{ end }}\n{{- end }}### Response\n",
  "vicuna":
    "{{- $system := \"\" }}\n{{- range .Messages }}\n{{- if eq .Role \"system\" }}\n{{- if not $system }}{{ $system = .Content }}\n{{- else }}{{ $system = printf \"%s\\n\\n%s\" $system .Content }}\n{{- end }}\n{{- else if eq .Role \"user\" }}\n{{- if $system }}{{ $system }}\n\n{{ $system = \"\" }}\n{{- end }}USER: {{ .Content }}\n{{ else if eq .Role \"assistant\" }}ASSISTANT: {{ .Content }}</s>\n{{ end }}\n{{- end }}ASSISTANT:",
  "zephyr":
    "{{- range .Messages }}<|{{ .Role }}|>\n{{ .Content }}</s>\n{{ end }}<|assistant|>\n",
};
