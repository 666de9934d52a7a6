// Drives a patched llama-addon.node (with nlc-mtmd.patch) through node-llama-cpp's raw bindings:
// model, context, mtmdLoad, mtmdEval (all prompt tokens but the last), then the held token and
// greedy generation as node-llama-cpp does it (addToBatch / decodeBatch / sampleToken). One JSON line.
//   node addon-run.mjs ADDON LIBDIR TOOLSDIR MODEL MMPROJ [IMAGE...]
// With TOLLAMA_MTMD_PENDING=1 it goes through mtmdTokenize + mtmdEvalPending instead of mtmdEval.
import { createRequire } from 'node:module';
import fs from 'node:fs';
const require = createRequire(import.meta.url);
const [, , addonPath, libDir, tools, stories, proj, ...images] = process.argv;
const b = require(addonPath);
b.loadBackends();
b.loadBackends(libDir);
await b.init();
const model = new b.AddonModel(stories, { addonExports: b, gpuLayers: 0 });
await model.init();
const ctx = new b.AddonContext(model, { contextSize: 512, batchSize: 512, sequences: 1, threads: 1 });
await ctx.init();
await ctx.mtmdLoad(`${tools}/libtollama-mtmd.so`, proj, 1);
const prompt = '<__media__>'.repeat(images.length) + 'Once upon a time';
const bytes = images.map((f) => new Uint8Array(fs.readFileSync(f)));
let r;
if (process.env.TOLLAMA_MTMD_PENDING) {
  // the runtime's path: tokenize (the layout), then evaluate the kept prompt from position 0
  const t = await ctx.mtmdTokenize(0, prompt, bytes);
  const e = await ctx.mtmdEvalPending(0, 0, 512);
  r = { nTokens: t.nTokens, nImageTokens: t.nImageTokens, nPast: e.nPast, heldToken: e.heldToken, chunks: t.chunks.map((c) => c.type === 'text' ? c.nTokens : `${c.type}:${c.nPos}:${c.id.length}`) };
} else r = await ctx.mtmdEval(0, prompt, bytes, 0, 512);
const sampler = new b.AddonSampler(model);
sampler.applyConfig({ temperature: 0 });
const out = [];
let token = r.heldToken;
let pos = r.nPast;
for (let i = 0; i < 16; i++) {
  ctx.initBatch(1);
  const idx = ctx.addToBatch(0, pos++, Uint32Array.from([token]), Uint32Array.from([0]));
  await ctx.decodeBatch();
  let t = await ctx.sampleToken(idx[0], sampler);
  if (Array.isArray(t)) t = t[0];
  if (t === -1 || model.isEogToken?.(t)) break;
  out.push(t);
  token = t;
}
const text = model.detokenize(Uint32Array.from(out), false);
console.log(JSON.stringify({ ...r, text: typeof text === 'string' ? text : Buffer.from(text).toString() }));
ctx.dispose?.();
