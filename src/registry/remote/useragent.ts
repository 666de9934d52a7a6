import { arch, platform } from 'node:os';
import { VERSION } from '../../version.js';

/** User-Agent in Ollama's shape: `ollama/<version> (<goarch> <goos>) <runtime>` (§1.2). */
export const VERSION_UA = `ollama/${VERSION} (${arch() === 'x64' ? 'amd64' : arch()} ${platform()}) Node/${process.versions.node}`;
