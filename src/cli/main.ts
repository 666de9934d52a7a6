import { VERSION } from '../version.js';
if (process.argv.includes('--version') || process.argv.includes('-v')) {
  process.stdout.write(`ollama version is ${VERSION}\n`);
}
