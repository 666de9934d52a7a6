import { describe, expect, it } from 'vitest';
import { backendOfLibrary, chooseGpuBackend, gpuLayersFor, gpuOverhead, mainGpuRefusal, vramBytes, type GpuBackend } from '../../src/runtime/gpu.js';

const pick = (supported: GpuBackend[], env: Record<string, string> = {}) => chooseGpuBackend({ supported, env });

describe('chooseGpuBackend (detection result as input)', () => {
  it.each<[string, GpuBackend[], Record<string, string>, GpuBackend | false, boolean]>([
    // [case, detected, env, chosen, warns]
    ['no GPU: the CPU (these machines)', [], {}, false, false],
    ['CUDA found', ['cuda'], {}, 'cuda', false],
    ['Vulkan found', ['vulkan'], {}, 'vulkan', false],
    ['CUDA before Vulkan', ['vulkan', 'cuda'], {}, 'cuda', false],
    ['Metal', ['metal'], {}, 'metal', false],
    ['OLLAMA_VULKAN=0 drops Vulkan', ['vulkan'], { OLLAMA_VULKAN: '0' }, false, false],
    ['OLLAMA_VULKAN=false keeps CUDA', ['vulkan', 'cuda'], { OLLAMA_VULKAN: 'false' }, 'cuda', false],
    ['OLLAMA_VULKAN=1', ['vulkan'], { OLLAMA_VULKAN: '1' }, 'vulkan', false],
    ['OLLAMA_VULKAN not a boolean: default on, warned', ['vulkan'], { OLLAMA_VULKAN: 'maybe' }, 'vulkan', true],
    ['OLLAMA_LLM_LIBRARY=cpu', ['cuda'], { OLLAMA_LLM_LIBRARY: 'cpu' }, false, false],
    ['OLLAMA_LLM_LIBRARY=cpu_avx2 (Ollama docs example)', ['cuda'], { OLLAMA_LLM_LIBRARY: 'cpu_avx2' }, false, false],
    ['OLLAMA_LLM_LIBRARY=cuda_v12', ['vulkan', 'cuda'], { OLLAMA_LLM_LIBRARY: 'cuda_v12' }, 'cuda', false],
    ['OLLAMA_LLM_LIBRARY=cuda_v13 quoted', ['cuda'], { OLLAMA_LLM_LIBRARY: '"cuda_v13"' }, 'cuda', false],
    ['OLLAMA_LLM_LIBRARY=vulkan over CUDA', ['cuda', 'vulkan'], { OLLAMA_LLM_LIBRARY: 'vulkan' }, 'vulkan', false],
    ['OLLAMA_LLM_LIBRARY=vulkan overrides OLLAMA_VULKAN=0, warned', ['vulkan'], { OLLAMA_LLM_LIBRARY: 'vulkan', OLLAMA_VULKAN: '0' }, 'vulkan', true],
    ['OLLAMA_LLM_LIBRARY=cuda_v12 without CUDA: CPU, warned', ['vulkan'], { OLLAMA_LLM_LIBRARY: 'cuda_v12' }, false, true],
    ['OLLAMA_LLM_LIBRARY=rocm: no prebuilt, CPU, warned', ['vulkan'], { OLLAMA_LLM_LIBRARY: 'rocm' }, false, true],
    ['OLLAMA_LLM_LIBRARY unknown: CPU, warned', ['cuda'], { OLLAMA_LLM_LIBRARY: 'tpu' }, false, true],
    ['OLLAMA_LLM_LIBRARY empty: detection', ['cuda'], { OLLAMA_LLM_LIBRARY: '  ' }, 'cuda', false],
  ])('%s', (_name, supported, env, want, warns) => {
    const c = pick(supported, env);
    expect(c.gpu).toBe(want);
    expect(c.reason).toMatch(/\S/);
    expect(Boolean(c.warning)).toBe(warns);
  });

  it('names the library it cannot honour', () => {
    expect(pick([], { OLLAMA_LLM_LIBRARY: 'tpu' }).warning).toContain('OLLAMA_LLM_LIBRARY=tpu');
    expect(pick([], { OLLAMA_LLM_LIBRARY: 'cuda_v12' }).warning).toContain('no usable cuda device');
  });
});

describe('backendOfLibrary', () => {
  it.each([
    ['cuda_v12', 'cuda'], ['cuda_v13', 'cuda'], ['cuda_jetpack6', 'cuda'], ['vulkan', 'vulkan'],
    ['rocm', 'rocm'], ['rocm_v6', 'rocm'], ['cpu', 'cpu'], ['cpu_avx2', 'cpu'], ['mlx_metal_v3', 'metal'], ['tpu', undefined],
  ])('%s → %s', (lib, want) => expect(backendOfLibrary(lib)).toBe(want));
});

describe('gpuLayersFor (num_gpu as Ollama reads it)', () => {
  it.each<[number, GpuBackend | false, 'auto' | number]>([
    [-1, 'cuda', 'auto'],
    [-5, 'vulkan', 'auto'],
    [0, 'cuda', 0],
    [12, 'cuda', 12],
    [999, 'metal', 999],
    [-1, false, 0],
    [12, false, 0],
  ])('num_gpu %i on %s → %s', (n, gpu, want) => expect(gpuLayersFor(n, gpu)).toBe(want));
});

describe('vramBytes', () => {
  it('adds model and context, never negative', () => {
    expect(vramBytes({ vram: 100 }, { vram: 20 })).toBe(120);
    expect(vramBytes(undefined, undefined)).toBe(0);
    expect(vramBytes({ vram: -3 }, undefined)).toBe(0);
  });
});

describe('mainGpuRefusal', () => {
  it('ignores main_gpu on the CPU (as Ollama), accepts 0, refuses another device on a GPU', () => {
    expect(mainGpuRefusal(3, false)).toBeNull();
    expect(mainGpuRefusal(null, 'cuda')).toBeNull();
    expect(mainGpuRefusal(0, 'cuda')).toBeNull();
    expect(mainGpuRefusal(1, 'cuda')).toBe('main_gpu 1 is not supported by Tollama: node-llama-cpp always uses its first cuda device (main_gpu 0)');
  });
});

describe('gpuOverhead (OLLAMA_GPU_OVERHEAD, bytes kept free per GPU)', () => {
  const GiB = 1024 ** 3;
  it('unset or 0: node-llama-cpp\'s own padding', () => {
    expect(gpuOverhead({})).toEqual({ bytes: 0 });
    expect(gpuOverhead({ OLLAMA_GPU_OVERHEAD: '0' })).toEqual({ bytes: 0 });
  });
  it('added to node-llama-cpp\'s padding (8 % of the VRAM, at most 1.2 GiB)', () => {
    const o = gpuOverhead({ OLLAMA_GPU_OVERHEAD: ' "1073741824" ' });
    expect(o.bytes).toBe(GiB);
    expect(o.vramPadding!(8 * GiB)).toBeCloseTo(0.64 * GiB + GiB);
    expect(o.vramPadding!(80 * GiB)).toBeCloseTo(1.2 * GiB + GiB);
  });
  it.each(['-1', '1.5', '1GB', 'lots'])('%j is Ollama\'s invalid-variable warning, and 0', (v) => {
    expect(gpuOverhead({ OLLAMA_GPU_OVERHEAD: v })).toEqual({ bytes: 0, warning: `invalid environment variable, using default: OLLAMA_GPU_OVERHEAD=${JSON.stringify(v)} (default 0)` });
  });
});
