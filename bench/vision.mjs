// Image encode + first token: Tollama (/api/generate, model loaded, a new image each round so no
// cache is reused) ÷ `llama-mtmd-cli` built from the same llama.cpp source, on the same model
// (stories260K), projector and images, interleaved rounds (goal: Tollama ≥ 0.9× the CLI's speed).
// The projector is generated (seeded): 224 px images, 14 px patches (256 image tokens), a 4-block
// ViT of width 128. The CLI's side is its wall time from its last log line before the image is
// read (its `WARN: This is an experimental CLI` line, timestamped from process start) to its exit
// after printing one token; Tollama's is the time from sending the request to the first streamed
// chunk (and, for reference, its prompt_eval_duration). BENCH_VISION_ROUNDS (default 3),
// BENCH_VISION_THREADS (default 2, both sides).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { importTs, median, startServe } from './lib.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const rounds = Number(process.env.BENCH_VISION_ROUNDS ?? 3);
const threads = Number(process.env.BENCH_VISION_THREADS ?? 2);
const stories = process.env.TOLLAMA_STORIES ?? path.join(root, '..', 'shared', 'models', 'stories260K.gguf');
const tools = path.join(root, 'node_modules', 'node-llama-cpp', 'llama', 'tollama-tools', `${process.platform}-${process.arch}`);
const cli = path.join(tools, 'llama-mtmd-cli');
const PROMPT = 'Once upon a time';
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-bench-vision-'));

/** ms since process start of a llama.cpp log line `S.MM.mmm.uuu …` matching `re`. */
function logTime(log, re) {
  for (const line of log.split('\n')) {
    if (!re.test(line)) continue;
    const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)/.exec(line);
    if (m) return ((Number(m[1]) * 60 + Number(m[2])) * 1000 + Number(m[3]) + Number(m[4]) / 1000);
  }
  throw new Error(`no log line matching ${re}:\n${log.slice(-2000)}`);
}

try {
  for (const f of [stories, cli]) if (!fs.existsSync(f)) throw new Error(`${f} is missing${f === cli ? ': run npm run build:native' : ''}`);
  const { writeProjector } = await importTs('test/helpers/gguf/projector.ts');
  const { makePNG } = await importTs('test/helpers/png.ts');
  const proj = path.join(work, 'mmproj.gguf');
  await writeProjector(proj, { imageSize: 224, patchSize: 14, hidden: 128, ff: 512, heads: 4, blocks: 4 });
  const images = [];
  for (let i = 0; i < rounds; i++) {
    const file = path.join(work, `image-${i}.png`);
    fs.writeFileSync(file, makePNG(224, 224, (x, y) => [(x * (i + 1)) & 255, (y * (i + 3)) & 255, (x ^ y ^ (i * 37)) & 255]));
    images.push(file);
  }
  fs.copyFileSync(stories, path.join(work, 'model.gguf'));
  fs.writeFileSync(path.join(work, 'Modelfile'), 'FROM ./model.gguf\nFROM ./mmproj.gguf\n');

  const server = await startServe({ OLLAMA_MODELS: path.join(work, 'models') });
  const ours = [];
  const ourEval = [];
  const theirs = [];
  try {
    const env = { ...process.env, OLLAMA_HOST: server.host };
    const c = spawnSync(process.execPath, [path.join(root, 'bin', 'ollama'), 'create', 'bench-vision', '-f', 'Modelfile'], { cwd: work, env, encoding: 'utf8' });
    if (c.status !== 0) throw new Error(`create: ${c.stderr}`);
    const options = { temperature: 0, num_predict: 1, num_thread: threads };
    const ask = async (imageFile) => {
      const body = { model: 'bench-vision', prompt: PROMPT, options, stream: true, ...(imageFile ? { images: [fs.readFileSync(imageFile).toString('base64')] } : {}) };
      const t0 = process.hrtime.bigint();
      const r = await fetch(`http://${server.host}/api/generate`, { method: 'POST', body: JSON.stringify(body) });
      if (!r.ok) throw new Error(`generate: ${r.status} ${await r.text()}`);
      const reader = r.body.getReader();
      let first;
      let text = '';
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        first ??= Number(process.hrtime.bigint() - t0) / 1e6;
        text += Buffer.from(value).toString();
      }
      const last = JSON.parse(text.trim().split('\n').at(-1));
      if (last.error) throw new Error(last.error);
      return { ttft: first, promptEval: last.prompt_eval_duration / 1e6, count: last.prompt_eval_count };
    };
    await ask(undefined); // load the model and the first context
    for (let i = 0; i < rounds; i++) {
      const t0 = process.hrtime.bigint();
      const r = spawnSync(cli, ['-m', stories, '--mmproj', proj, '--image', images[i], '-p', PROMPT, '-n', '1', '--temp', '0', '-t', String(threads), '--chat-template', 'vicuna'], { encoding: 'utf8' });
      const wall = Number(process.hrtime.bigint() - t0) / 1e6;
      if (r.status !== 0) throw new Error(`llama-mtmd-cli: ${r.stderr.slice(-2000)}`);
      theirs.push(wall - logTime(r.stderr, /experimental CLI/));
      const o = await ask(images[i]);
      ours.push(o.ttft);
      ourEval.push(o.promptEval);
      if (i === 0) console.log(`prompt: ${o.count} tokens (${o.count - 256 > 0 ? `${o.count - 256} text + ` : ''}256 image), ${threads} threads, ${rounds} rounds`);
    }
  } finally {
    await server.stop();
  }
  const cliMs = median(theirs);
  const ttft = median(ours);
  console.log(`llama-mtmd-cli: image read → first token     ${cliMs.toFixed(1).padStart(8)} ms`);
  console.log(`tollama: request → first token (TTFT)        ${ttft.toFixed(1).padStart(8)} ms  = ${(cliMs / ttft).toFixed(2)}× the CLI's speed  (goal ≥ 0.9×)`);
  console.log(`tollama: prompt_eval_duration (encode+eval)  ${median(ourEval).toFixed(1).padStart(8)} ms`);
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
