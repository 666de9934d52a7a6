/**
 * Dev tool: copies Ollama's named chat templates (its `template/` folder) into our data files.
 *
 *   npx vite-node scripts/port-templates.ts -- <ollama checkout>/template
 *
 * Writes
 *   src/modelfile/templates/index.json   Ollama's index.json as it is (Jinja text → name, in order)
 *   src/modelfile/templates/named.json   each <name>.gotmpl (CRLF → LF, as Ollama loads it) and
 *                                        the `stop` of its <name>.json
 *   test/modelfile/testdata/templates.jsonl        Ollama's testdata/templates.jsonl as it is
 *   test/modelfile/testdata/template-files.json    sha256 of each <name>.gotmpl / <name>.json file
 *                                                  and the params blob Ollama writes at create
 *   test/modelfile/testdata/template-outputs.json  Ollama's testdata/<name>.gotmpl/<case> outputs
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const dir = process.argv.slice(2).find((a) => a !== '--');
if (!dir) throw new Error('usage: port-templates.ts <ollama>/template');
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const sha = (b: Buffer | string): string => 'sha256:' + crypto.createHash('sha256').update(b).digest('hex');
const read = (f: string): Buffer => fs.readFileSync(path.join(dir, f));

/** Go's json.Encoder output: HTML-escaped, one trailing newline. */
function goEncoderLine(v: unknown): string {
  return JSON.stringify(v).replace(/[<>&\u2028\u2029]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0')) + '\n';
}

const indexText = read('index.json').toString('utf8');
const index = JSON.parse(indexText) as Array<{ name: string; template: string }>;
const names = fs.readdirSync(dir).filter((f) => f.endsWith('.gotmpl')).map((f) => f.slice(0, -'.gotmpl'.length)).sort();

const named: Record<string, { template: string; stop?: string[] }> = {};
const files: Record<string, { gotmpl: string; json?: string; params?: string }> = {};
for (const n of names) {
  const raw = read(`${n}.gotmpl`);
  named[n] = { template: raw.toString('utf8').replace(/\r\n/g, '\n') };
  files[n] = { gotmpl: sha(raw) };
  if (fs.existsSync(path.join(dir, `${n}.json`))) {
    const pj = read(`${n}.json`);
    const stop = (JSON.parse(pj.toString('utf8')) as { stop?: string[] }).stop;
    if (stop) named[n]!.stop = stop;
    files[n]!.json = sha(pj);
    // Ollama decodes only `stop` (a struct without omitempty) and encodes it again.
    files[n]!.params = sha(goEncoderLine({ stop: stop ?? null }));
  }
}
for (const e of index) if (!named[e.name]) throw new Error(`index.json names ${e.name}, which has no .gotmpl`);

const outputs: Record<string, Record<string, string>> = {};
for (const n of names) {
  const d = path.join(dir, 'testdata', `${n}.gotmpl`);
  if (!fs.existsSync(d)) continue;
  outputs[n] = {};
  for (const c of fs.readdirSync(d).sort()) outputs[n]![c] = fs.readFileSync(path.join(d, c), 'utf8');
}

const write = (rel: string, text: string): void => {
  fs.writeFileSync(path.join(root, rel), text);
  process.stderr.write(`wrote ${rel}\n`);
};
write('src/modelfile/templates/index.json', indexText);
write('src/modelfile/templates/named.json', JSON.stringify(named, null, 1) + '\n');
fs.mkdirSync(path.join(root, 'test/modelfile/testdata'), { recursive: true });
write('test/modelfile/testdata/templates.jsonl', read('testdata/templates.jsonl').toString('utf8'));
write('test/modelfile/testdata/template-files.json', JSON.stringify(files, null, 1) + '\n');
write('test/modelfile/testdata/template-outputs.json', JSON.stringify(outputs, null, 1) + '\n');
