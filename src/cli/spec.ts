/**
 * The command table: every subcommand's name, aliases, help text, argument rule, flags and the
 * environment variables its help lists — in Ollama's help order (reference §1.1). Each command's
 * code lives in its own file and is imported only when that command runs, so `--version`,
 * `--help`, `list` and `ps` never load Ink, React or node-llama-cpp.
 */

export interface FlagSpec {
  /** Long name without dashes. */
  name: string;
  short?: string;
  /** Value placeholder shown in help (`string`, `int`); absent for booleans. */
  type?: string;
  usage: string;
  /** Shown as `(default …)` in help. */
  defaultText?: string;
  /** A value may follow with `=` only (cobra's NoOptDefVal), as `--think[=high]`. */
  optionalValue?: boolean;
  hidden?: boolean;
}

export type ArgRule =
  | { kind: 'exact'; n: number }
  | { kind: 'min'; n: number }
  | { kind: 'max'; n: number }
  | { kind: 'any' };

export type CommandFlags = Record<string, string | boolean | undefined>;

export interface CommandSpec {
  name: string;
  aliases?: string[];
  use: string;
  short: string;
  args: ArgRule;
  flags: FlagSpec[];
  env: string[];
  /** Skip the server pre-check (serve itself, offline commands). */
  noServer?: boolean;
  hidden?: boolean;
  load: () => Promise<{ run: (args: string[], flags: CommandFlags) => Promise<number | void> }>;
}

export const ENV_DESCRIPTIONS: Record<string, string> = {
  OLLAMA_HOST: 'IP Address for the ollama server (default 127.0.0.1:11434)',
  OLLAMA_API_KEY: 'Bearer token sent to the server (for servers started with OLLAMA_API_KEYS)',
  OLLAMA_NOAUTOSTART: 'Do not start a local server in the background when none is running',
  OLLAMA_EDITOR: 'Path to an editor for interactive prompt editing (Ctrl+G)',
  OLLAMA_NOHISTORY: 'Do not preserve readline history',
  OLLAMA_DEBUG: 'Show additional debug information (e.g. OLLAMA_DEBUG=1)',
  OLLAMA_CONTEXT_LENGTH: 'Context length to use unless otherwise specified (default: 4096)',
  OLLAMA_KEEP_ALIVE: 'The duration that models stay loaded in memory (default "5m")',
  OLLAMA_MAX_LOADED_MODELS: 'Maximum number of loaded models per GPU',
  OLLAMA_MAX_QUEUE: 'Maximum number of queued requests',
  OLLAMA_MODELS: 'The path to the models directory',
  OLLAMA_NUM_PARALLEL: 'Maximum number of parallel requests',
  OLLAMA_NOPRUNE: 'Do not prune model blobs on startup',
  OLLAMA_ORIGINS: 'A comma separated list of allowed origins',
  OLLAMA_LLM_LIBRARY: 'Set LLM library to bypass autodetection',
  OLLAMA_FLASH_ATTENTION: 'Enabled flash attention',
  OLLAMA_KV_CACHE_TYPE: 'Quantization type for the K/V cache (default: f16)',
  OLLAMA_GPU_OVERHEAD: 'Reserve a portion of VRAM per GPU (bytes)',
  OLLAMA_LOAD_TIMEOUT: 'How long to allow model loads to stall before giving up (default "5m")',
  OLLAMA_API_KEYS: 'Comma-separated API keys; when set every endpoint but / requires one as a bearer token',
  OLLAMA_REGISTRY_AUTH: 'Credentials for private registries (see docs/registry.md)',
};

const SERVE_ENV = [
  'OLLAMA_DEBUG',
  'OLLAMA_HOST',
  'OLLAMA_CONTEXT_LENGTH',
  'OLLAMA_KEEP_ALIVE',
  'OLLAMA_MAX_LOADED_MODELS',
  'OLLAMA_MAX_QUEUE',
  'OLLAMA_MODELS',
  'OLLAMA_NUM_PARALLEL',
  'OLLAMA_NOPRUNE',
  'OLLAMA_ORIGINS',
  'OLLAMA_FLASH_ATTENTION',
  'OLLAMA_KV_CACHE_TYPE',
  'OLLAMA_LLM_LIBRARY',
  'OLLAMA_GPU_OVERHEAD',
  'OLLAMA_LOAD_TIMEOUT',
  'OLLAMA_API_KEYS',
  'OLLAMA_REGISTRY_AUTH',
];

const HOST_ENV = ['OLLAMA_HOST'];
const insecure: FlagSpec = { name: 'insecure', usage: 'Use an insecure registry' };

export const COMMANDS: CommandSpec[] = [
  {
    name: 'serve',
    aliases: ['start'],
    use: 'serve',
    short: 'Start Ollama',
    args: { kind: 'exact', n: 0 },
    flags: [],
    env: SERVE_ENV,
    noServer: true,
    load: () => import('./serve.js'),
  },
  {
    name: 'create',
    use: 'create MODEL',
    short: 'Create a model',
    args: { kind: 'exact', n: 1 },
    flags: [
      { name: 'file', short: 'f', type: 'string', usage: 'Name of the Modelfile (default "Modelfile")' },
      { name: 'quantize', short: 'q', type: 'string', usage: 'Quantize model to this level (e.g. q4_K_M)' },
    ],
    env: HOST_ENV,
    load: () => import('./create.js'),
  },
  {
    name: 'show',
    use: 'show MODEL',
    short: 'Show information for a model',
    args: { kind: 'exact', n: 1 },
    flags: [
      { name: 'license', usage: 'Show license of a model' },
      { name: 'modelfile', usage: 'Show Modelfile of a model' },
      { name: 'parameters', usage: 'Show parameters of a model' },
      { name: 'template', usage: 'Show template of a model' },
      { name: 'system', usage: 'Show system message of a model' },
      { name: 'verbose', short: 'v', usage: 'Show detailed model information' },
    ],
    env: HOST_ENV,
    load: () => import('./show.js'),
  },
  {
    name: 'run',
    use: 'run MODEL [PROMPT]',
    short: 'Run a model',
    args: { kind: 'min', n: 1 },
    flags: [
      { name: 'keepalive', type: 'string', usage: 'Duration to keep a model loaded (e.g. 5m)' },
      { name: 'verbose', usage: 'Show timings for response' },
      insecure,
      { name: 'nowordwrap', usage: "Don't wrap words to the next line automatically" },
      { name: 'format', type: 'string', usage: 'Response format (e.g. json)' },
      { name: 'think', type: 'string', optionalValue: true, usage: 'Enable thinking mode: true/false or high/medium/low for supported models' },
      { name: 'hidethinking', usage: 'Hide thinking output (if provided)' },
      { name: 'truncate', usage: 'For embedding models: truncate inputs exceeding context length (default: true). Set --truncate=false to error instead' },
      { name: 'dimensions', type: 'int', usage: 'Truncate output embeddings to specified dimension (embedding models only)' },
    ],
    env: ['OLLAMA_EDITOR', 'OLLAMA_HOST', 'OLLAMA_NOHISTORY'],
    load: () => import('./run.js'),
  },
  {
    name: 'stop',
    use: 'stop MODEL',
    short: 'Stop a running model',
    args: { kind: 'exact', n: 1 },
    flags: [],
    env: HOST_ENV,
    load: () => import('./stop.js'),
  },
  {
    name: 'pull',
    use: 'pull MODEL',
    short: 'Pull a model from a registry',
    args: { kind: 'exact', n: 1 },
    flags: [insecure],
    env: HOST_ENV,
    load: () => import('./pull.js'),
  },
  {
    name: 'push',
    use: 'push MODEL',
    short: 'Push a model to a registry',
    args: { kind: 'exact', n: 1 },
    flags: [insecure],
    env: HOST_ENV,
    load: () => import('./push.js'),
  },
  {
    name: 'signin',
    use: 'signin',
    short: 'Sign in to ollama.com',
    args: { kind: 'exact', n: 0 },
    flags: [],
    env: HOST_ENV,
    load: () => import('./signin.js'),
  },
  {
    name: 'signout',
    use: 'signout',
    short: 'Sign out from ollama.com',
    args: { kind: 'exact', n: 0 },
    flags: [],
    env: HOST_ENV,
    load: () => import('./signout.js'),
  },
  {
    name: 'list',
    aliases: ['ls'],
    use: 'list',
    short: 'List models',
    args: { kind: 'any' },
    flags: [],
    env: HOST_ENV,
    load: () => import('./list.js'),
  },
  {
    name: 'ps',
    use: 'ps',
    short: 'List running models',
    args: { kind: 'any' },
    flags: [],
    env: HOST_ENV,
    load: () => import('./ps.js'),
  },
  {
    name: 'cp',
    use: 'cp SOURCE DESTINATION',
    short: 'Copy a model',
    args: { kind: 'exact', n: 2 },
    flags: [],
    env: HOST_ENV,
    load: () => import('./cp.js'),
  },
  {
    name: 'rm',
    use: 'rm MODEL [MODEL...]',
    short: 'Remove a model',
    args: { kind: 'min', n: 1 },
    flags: [],
    env: HOST_ENV,
    load: () => import('./rm.js'),
  },
  {
    name: 'export',
    use: 'export MODEL [MODEL...]',
    short: 'Export models to a tar file (OCI image layout)',
    args: { kind: 'min', n: 1 },
    flags: [{ name: 'output', short: 'o', type: 'string', usage: 'Write the archive to this file instead of stdout' }],
    env: HOST_ENV,
    load: () => import('./export.js'),
  },
  {
    name: 'import',
    use: 'import FILE|-',
    short: 'Import models from a tar file',
    args: { kind: 'exact', n: 1 },
    flags: [{ name: 'name', type: 'string', usage: 'Import the model under this name' }],
    env: HOST_ENV,
    load: () => import('./import.js'),
  },
  {
    name: 'verify',
    use: 'verify [MODEL...]',
    short: 'Re-hash the blobs of models and report damage',
    args: { kind: 'any' },
    flags: [],
    env: HOST_ENV,
    load: () => import('./verify.js'),
  },
  {
    name: 'prune',
    use: 'prune',
    short: 'Remove unreferenced blobs and stale downloads',
    args: { kind: 'exact', n: 0 },
    flags: [{ name: 'dry-run', short: 'n', usage: 'Only print what would be removed' }],
    env: HOST_ENV,
    load: () => import('./prune.js'),
  },
];

export const ROOT_FLAGS: FlagSpec[] = [
  { name: 'help', short: 'h', usage: 'help for ollama' },
  { name: 'nowordwrap', usage: "Don't wrap words to the next line automatically" },
  { name: 'verbose', usage: 'Show timings for response' },
  { name: 'version', short: 'v', usage: 'Show version information' },
];

export function findCommand(name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name || c.aliases?.includes(name));
}
