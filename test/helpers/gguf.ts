/**
 * GGUF files for tests and benchmarks (never written inside the repo: use os.tmpdir()).
 *
 *   writeGGUF(path, spec)             any metadata + tensors, seeded random F32/F16/Q8_0 weights
 *   writeModel(path, shape?)          a loadable model; shape overrides the tinyLlama preset
 *   modelSpec(shape), tinyLlama, qwen2_05b, sizedModelShape(bytes)
 *   writeBrokenGGUF(path, kind)       one of BROKEN_KINDS (the bad-input corpus)
 *   writeScriptedModel(path, pieces)  a model that answers any prompt with the same pieces
 *   writeLora(path, basePath, spec?)  a LoRA adapter for a base model (seeded random A/B)
 */
export * from './gguf/writer.js';
export * from './gguf/models.js';
export * from './gguf/broken.js';
export * from './gguf/scripted.js';
export * from './gguf/lora.js';
