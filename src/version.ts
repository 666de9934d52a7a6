/**
 * Versions. Tollama reports the Ollama version whose behaviour it implements wherever Ollama
 * reports its own (`/api/version`, `User-Agent`, `ollama -v`), so registries and clients that
 * gate on Ollama's version treat it as that Ollama; Tollama's own package version is shown
 * beside it where a person reads it.
 */
import { arch, platform } from 'node:os';

/** The Ollama release whose API and behaviour Tollama implements. */
export const OLLAMA_VERSION = '0.33.0';

/** Tollama's own package version (kept in step with package.json). */
export const TOLLAMA_VERSION = '0.1.0';

const GOARCH: Record<string, string> = { x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64', loong64: 'loong64' };
const GOOS: Record<string, string> = { win32: 'windows', sunos: 'solaris' };

/**
 * The `User-Agent` of every request Tollama makes (to a server or a registry). Ollama sends
 * `ollama/<version> (<goarch> <goos>) Go/<go version>`; Tollama sends the same shape with its
 * runtime in place of Go's, then its own product token:
 * `ollama/0.33.0 (amd64 linux) Node/v20.19.0 tollama/0.1.0`.
 */
export const USER_AGENT = `ollama/${OLLAMA_VERSION} (${GOARCH[arch()] ?? arch()} ${GOOS[platform()] ?? platform()}) Node/${process.version} tollama/${TOLLAMA_VERSION}`;
