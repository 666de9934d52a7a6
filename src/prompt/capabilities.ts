/**
 * What each built-in parser (Modelfile `PARSER`, config field `parser`) adds to a model's
 * capabilities: Ollama's `HasToolSupport()` / `HasThinkingSupport()` of the parser that
 * `model/parsers.ParserForName` returns for the name. A name not listed here is not a built-in
 * parser and adds nothing. The parser implementations (src/prompt/parsers/) keep this table in
 * step when they add a name.
 */

export interface ParserSupport {
  tools: boolean;
  thinking: boolean;
}

const T = true;
const F = false;

/** name → [tools, thinking], as Ollama 0.33 declares them. */
const PARSERS: Readonly<Record<string, readonly [boolean, boolean]>> = {
  qwen3: [T, F],
  'qwen3-thinking': [T, T],
  'qwen3.5': [T, T],
  ornith: [T, T],
  'qwen3-coder': [T, F],
  'qwen3-vl-instruct': [T, F],
  'qwen3-vl-thinking': [T, T],
  ministral: [T, F],
  passthrough: [F, F],
  harmony: [T, T],
  cogito: [T, T],
  deepseek3: [T, T],
  olmo3: [T, F],
  'olmo3-think': [F, T],
  'nemotron-3-nano': [T, T],
  'nemotron-3.5-nano': [T, T],
  functiongemma: [T, F],
  'glm-4.7': [T, T],
  gemma4: [T, T],
  'gemma4-no-thinking': [T, F],
  'glm-ocr': [T, F],
  lfm2: [T, F],
  'lfm2-thinking': [T, T],
  laguna: [T, T],
  'poolside-v1': [T, T],
  cohere: [T, T],
  glimmer: [T, T],
};

/** The built-in parser names Ollama 0.33 knows. */
export const PARSER_NAMES: readonly string[] = Object.keys(PARSERS);

/** What the parser called `name` supports, or undefined when no built-in parser has that name. */
export function parserSupport(name: string | undefined): ParserSupport | undefined {
  if (!name || !Object.hasOwn(PARSERS, name)) return undefined;
  const [tools, thinking] = PARSERS[name]!;
  return { tools, thinking };
}

/** Ollama's Gemma 4 renderer names (`gemma4` is resolved to small/large by model size). */
export function isGemma4Renderer(name: string | undefined): boolean {
  return name === 'gemma4' || name === 'gemma4-small' || name === 'gemma4-large';
}
