/**
 * GPU policy (#16 item 5): which node-llama-cpp backend the process loads, and how many layers a
 * model offloads. Pure functions of their inputs — what node-llama-cpp detected, the environment,
 * the request's `num_gpu` — so the whole policy is tested on machines without a GPU.
 *
 * Ollama 0.33's rules, as read in its source:
 * - `OLLAMA_LLM_LIBRARY` bypasses detection: only the library directory of that name is tried
 *   (`cuda_v12`, `cuda_v13`, `vulkan`, `rocm`, …); any other value (`cpu`, `cpu_avx2`) leaves no
 *   GPU library, so the CPU runs the model (discover/runner.go).
 * - `OLLAMA_VULKAN` (default on) lets Vulkan devices be discovered.
 * - `num_gpu`: -1 (the default) lets the runtime fit as many layers as memory allows; 0 is CPU
 *   only; N offloads N layers (llm/llama_server.go).
 *
 * node-llama-cpp ships prebuilt CUDA and Vulkan binaries for Linux (Metal on macOS); ROCm has no
 * prebuilt binary, so asking for it is said in the log and the CPU is used.
 */

export type GpuBackend = 'cuda' | 'vulkan' | 'metal';

export interface GpuChoiceInput {
  /** Backends node-llama-cpp reports usable on this machine (`getLlamaGpuTypes('supported')`). */
  supported: readonly GpuBackend[];
  /** OLLAMA_LLM_LIBRARY, OLLAMA_VULKAN. */
  env: Record<string, string | undefined>;
}

export interface GpuChoice {
  /** The backend to load, or false for the CPU (Tollama's patched CPU addon). */
  gpu: GpuBackend | false;
  /** One sentence for the start-up log saying why. */
  reason: string;
  /** Set when a setting asked for something that cannot be honoured. */
  warning?: string;
}

function clean(v: string | undefined): string {
  return (v ?? '').trim().replace(/^["']+|["']+$/g, '').trim();
}

/** Go's strconv.ParseBool, as Ollama's BoolWithDefault reads it; undefined when unparsable. */
function parseBool(raw: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(raw)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(raw)) return false;
  return undefined;
}

/** The backend a library directory name stands for (`cuda_v12` → cuda), or undefined. */
export function backendOfLibrary(name: string): GpuBackend | 'rocm' | 'cpu' | undefined {
  const n = name.toLowerCase();
  if (n.startsWith('cuda')) return 'cuda';
  if (n.startsWith('vulkan')) return 'vulkan';
  if (n.startsWith('metal') || n.startsWith('mlx')) return 'metal';
  if (n.startsWith('rocm') || n.startsWith('hip')) return 'rocm';
  if (n.startsWith('cpu')) return 'cpu';
  return undefined;
}

/** Picks the backend: CUDA, then Metal, then Vulkan, as node-llama-cpp's 'auto' orders them. */
export function chooseGpuBackend(input: GpuChoiceInput): GpuChoice {
  const library = clean(input.env['OLLAMA_LLM_LIBRARY']);
  const vulkanRaw = clean(input.env['OLLAMA_VULKAN']);
  const vulkanSetting = vulkanRaw === '' ? true : parseBool(vulkanRaw);
  const warnings: string[] = [];
  if (vulkanSetting === undefined) warnings.push(`OLLAMA_VULKAN=${vulkanRaw} is not a boolean; Vulkan stays enabled (the default)`);
  const vulkanOn = vulkanSetting ?? true;
  let candidates = input.supported.filter((b) => b !== 'vulkan' || vulkanOn);

  if (library !== '') {
    const wanted = backendOfLibrary(library);
    if (wanted === 'cpu') return { gpu: false, reason: `OLLAMA_LLM_LIBRARY=${library} asks for the CPU` };
    if (wanted === undefined || wanted === 'rocm') {
      const why = wanted === 'rocm'
        ? `OLLAMA_LLM_LIBRARY=${library}: ROCm has no node-llama-cpp prebuilt binary; using the CPU`
        : `OLLAMA_LLM_LIBRARY=${library} names no library Tollama knows (cpu, cuda_v12, cuda_v13, vulkan); using the CPU, as Ollama does`;
      return { gpu: false, reason: why, warning: why };
    }
    if (wanted === 'vulkan' && !vulkanOn) warnings.push('OLLAMA_LLM_LIBRARY=vulkan overrides OLLAMA_VULKAN=false');
    if (!input.supported.includes(wanted)) {
      const why = `OLLAMA_LLM_LIBRARY=${library}: no usable ${wanted} device or driver was found; using the CPU`;
      return { gpu: false, reason: why, warning: [...warnings, why].join('; ') };
    }
    candidates = [wanted];
  }

  const order: GpuBackend[] = ['cuda', 'metal', 'vulkan'];
  const gpu = order.find((b) => candidates.includes(b));
  const warning = warnings.length ? warnings.join('; ') : undefined;
  if (!gpu) {
    const reason = input.supported.length === 0 ? 'no GPU found' : 'Vulkan is switched off (OLLAMA_VULKAN=false) and no other GPU was found';
    return { gpu: false, reason, ...(warning ? { warning } : {}) };
  }
  return { gpu, reason: library ? `OLLAMA_LLM_LIBRARY=${library}` : `${gpu} found`, ...(warning ? { warning } : {}) };
}

/**
 * node-llama-cpp's `gpuLayers` for a request's `num_gpu`: on the CPU always 0; -1 (or any
 * negative) lets it fit what memory allows ('auto'); 0 keeps every layer on the CPU; N offloads N.
 */
export function gpuLayersFor(numGpu: number, gpu: GpuBackend | false): 'auto' | number {
  if (gpu === false) return 0;
  if (numGpu < 0) return 'auto';
  return Math.floor(numGpu);
}

/** Bytes of a loaded model in GPU memory (model weights plus context), for `size_vram`. */
export function vramBytes(model: { vram: number } | undefined, context: { vram: number } | undefined): number {
  return Math.max(0, (model?.vram ?? 0) + (context?.vram ?? 0));
}

/**
 * `main_gpu` picks the device for small tensors in Ollama; node-llama-cpp has no such choice. On
 * the CPU it means nothing (Ollama ignores it too); with a GPU, any device but the first is
 * refused rather than silently ignored. Returns the error message, or null.
 */
export function mainGpuRefusal(mainGpu: number | null, gpu: GpuBackend | false): string | null {
  if (gpu === false || mainGpu === null || mainGpu === 0) return null;
  return `main_gpu ${mainGpu} is not supported by Tollama: node-llama-cpp always uses its first ${gpu} device (main_gpu 0)`;
}

/**
 * OLLAMA_GPU_OVERHEAD (bytes of VRAM to keep free per GPU; Ollama's Uint64: anything but a base-10
 * unsigned integer is a warning and 0). Tollama adds it to node-llama-cpp's own VRAM padding
 * (8 % of the VRAM, at most 1.2 GiB), which decides how many layers `num_gpu` -1 (auto) offloads.
 */
export function gpuOverhead(env: Record<string, string | undefined>): { vramPadding?: (totalVram: number) => number; bytes: number; warning?: string } {
  const raw = clean(env['OLLAMA_GPU_OVERHEAD']);
  if (raw === '') return { bytes: 0 };
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
    return { bytes: 0, warning: `invalid environment variable, using default: OLLAMA_GPU_OVERHEAD=${JSON.stringify(raw)} (default 0)` };
  }
  const bytes = Number(raw);
  if (bytes === 0) return { bytes };
  return { bytes, vramPadding: (totalVram: number) => Math.min(totalVram * 0.08, 1.2 * 1024 ** 3) + bytes };
}
