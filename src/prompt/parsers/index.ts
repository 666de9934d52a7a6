/**
 * Built-in output parsers by name (a model config's `parser`, a Modelfile's PARSER line), as in
 * Ollama's model/parsers registry. `parserFor` returns a fresh parser, or null for a name that
 * has none here (the server then falls back to the template's thinking/tool-call extraction and
 * logs why).
 */
import { CogitoParser } from './cogito.js';
import { CohereParser } from './cohere.js';
import { DeepSeek3Parser } from './deepseek3.js';
import { FunctionGemmaParser } from './functiongemma.js';
import { Gemma4Parser } from './gemma4.js';
import { GlimmerParser } from './glimmer.js';
import { GLM47Parser, GlmOcrParser } from './glm46.js';
import { HarmonyMessageHandler } from './harmony.js';
import { LagunaParser, PoolsideV1Parser } from './laguna.js';
import { LFM2Parser } from './lfm2.js';
import { MinistralParser } from './ministral.js';
import { Nemotron3NanoParser } from './nemotron3nano.js';
import { Olmo3Parser } from './olmo3.js';
import { Olmo3ThinkParser } from './olmo3think.js';
import { Qwen3CoderParser } from './qwen3coder.js';
import { Qwen3Parser } from './qwen3.js';
import { Qwen35Parser } from './qwen35.js';
import { Qwen3VLParser } from './qwen3vl.js';
import type { ParsedPiece, Parser } from './types.js';

export type { Parser, ParsedPiece, ThinkValue } from './types.js';
export { ParserError, thinkBool } from './types.js';

class PassthroughParser implements Parser {
  init(tools: Parameters<Parser['init']>[0]) {
    return tools;
  }
  add(piece: string): ParsedPiece {
    return { content: piece, thinking: '', calls: [] };
  }
  preservedTokens(): string[] {
    return [];
  }
  hasToolSupport(): boolean {
    return false;
  }
  hasThinkingSupport(): boolean {
    return false;
  }
}

const BUILTIN: Record<string, () => Parser> = {
  passthrough: () => new PassthroughParser(),
  harmony: () => new HarmonyMessageHandler(),
  deepseek3: () => new DeepSeek3Parser(true),
  cogito: () => new CogitoParser(),
  'nemotron-3-nano': () => new Nemotron3NanoParser(),
  'nemotron-3.5-nano': () => new Nemotron3NanoParser(),
  olmo3: () => new Olmo3Parser(),
  ministral: () => new MinistralParser(false),
  functiongemma: () => new FunctionGemmaParser(),
  gemma4: () => new Gemma4Parser(true),
  'gemma4-no-thinking': () => new Gemma4Parser(false),
  cohere: () => new CohereParser(),
  'glm-4.7': () => new GLM47Parser(),
  'glm-ocr': () => new GlmOcrParser(),
  'olmo3-think': () => new Olmo3ThinkParser(),
  qwen3: () => new Qwen3Parser(false, false),
  'qwen3-thinking': () => new Qwen3Parser(true, true),
  'qwen3-coder': () => new Qwen3CoderParser(),
  'qwen3.5': () => new Qwen35Parser(),
  ornith: () => new Qwen35Parser(),
  'qwen3-vl-instruct': () => new Qwen3VLParser(false),
  'qwen3-vl-thinking': () => new Qwen3VLParser(true),
  lfm2: () => new LFM2Parser(false),
  'lfm2-thinking': () => new LFM2Parser(true),
  laguna: () => new LagunaParser(),
  'poolside-v1': () => new PoolsideV1Parser(),
  glimmer: () => new GlimmerParser(),
};

/** Names Ollama 0.33 knows whose parser is not ported yet. */
const NOT_PORTED = [
  'qwen3.5', 'ornith', 'qwen3-vl-instruct', 'qwen3-vl-thinking', 'ministral', 'harmony', 'cogito', 'deepseek3', 'olmo3', 'olmo3-think',
  'nemotron-3-nano', 'nemotron-3.5-nano', 'functiongemma', 'glm-4.7', 'gemma4', 'gemma4-no-thinking', 'glm-ocr', 'lfm2', 'lfm2-thinking',
  'laguna', 'poolside-v1', 'cohere', 'glimmer',
].filter((n) => !(n in BUILTIN));

/** A new parser for the name, or null when there is none here. */
export function parserFor(name: string): Parser | null {
  const make = BUILTIN[name];
  return make ? make() : null;
}

/** Every name `parserFor` answers. */
export function builtinParserNames(): string[] {
  return Object.keys(BUILTIN);
}

/** Why `parserFor` gave null: a parser Ollama has that is not ported yet, or a name Ollama does not know. */
export function missingParserReason(name: string): string {
  return NOT_PORTED.includes(name)
    ? `parser "${name}" is not implemented yet`
    : `unknown parser "${name}"`;
}
