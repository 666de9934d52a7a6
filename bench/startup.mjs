// CLI start-up cost: `ollama --version`, `--help`, `list` and `ps` next to `node -e 0`, measured
// in the same run. `list` runs against a real server holding 100 models.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { row, timeCommand } from './lib.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'bin', 'ollama');
const node = process.execPath;

const base = timeCommand(node, ['-e', '0']);
row('node -e 0', base);
const env = { ...process.env, OLLAMA_HOST: '127.0.0.1:9', OLLAMA_NOAUTOSTART: '1' };
row('ollama --version (no server)', timeCommand(node, [bin, '--version'], { env }), base, '≤ 120 ms');
row('ollama --help', timeCommand(node, [bin, '--help'], { env }), base);

// A store with 100 models sharing one blob, and a real server on a free port.
const store = fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-bench-'));
try {
  const blobs = path.join(store, 'blobs');
  fs.mkdirSync(blobs, { recursive: true });
  const crypto = await import('node:crypto');
  const put = (buf) => {
    const hex = crypto.createHash('sha256').update(buf).digest('hex');
    fs.writeFileSync(path.join(blobs, `sha256-${hex}`), buf);
    return { digest: `sha256:${hex}`, size: buf.length };
  };
  const config = put(Buffer.from('{"model_format":"gguf","model_family":"llama","model_families":["llama"],"model_type":"260K","file_type":"F32","architecture":"amd64","os":"linux"}\n'));
  const layer = put(Buffer.from('GGUF-not-really'));
  for (let i = 0; i < 100; i++) {
    const dir = path.join(store, 'manifests', 'registry.ollama.ai', 'library', `model${i}`);
    fs.mkdirSync(dir, { recursive: true });
    const manifest = {
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', ...config },
      layers: [{ mediaType: 'application/vnd.ollama.image.model', ...layer }],
    };
    fs.writeFileSync(path.join(dir, 'latest'), JSON.stringify(manifest) + '\n');
  }
  const port = 20000 + Math.floor(Math.random() * 20000);
  const senv = { ...process.env, OLLAMA_HOST: `127.0.0.1:${port}`, OLLAMA_MODELS: store, OLLAMA_NOPRUNE: '1', OLLAMA_NOAUTOSTART: '1' };
  const server = spawn(node, [bin, 'serve'], { env: senv, stdio: 'ignore' });
  try {
    let up = false;
    for (let i = 0; i < 100 && !up; i++) {
      await new Promise((r) => setTimeout(r, 100));
      up = await fetch(`http://127.0.0.1:${port}/`).then((r) => r.ok, () => false);
    }
    if (!up) {
      console.log('ollama list (100 models): skipped — the server did not start');
    } else {
      row('ollama list (100 models)', timeCommand(node, [bin, 'list'], { env: senv }), base, '≤ 250 ms');
      row('ollama ps', timeCommand(node, [bin, 'ps'], { env: senv }), base);
    }
  } finally {
    server.kill('SIGTERM');
  }
} finally {
  fs.rmSync(store, { recursive: true, force: true });
}
