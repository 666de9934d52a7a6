import { execFileSync, spawnSync } from 'node:child_process';
import { createPublicKey, verify } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tokenSigningString } from '../../../src/registry/remote/auth.js';
import { loadOllamaSigner, parseOpenSSHEd25519, signTokenRequest } from '../../../src/registry/remote/sshkey.js';

const hasKeygen = spawnSync('sh', ['-c', 'command -v ssh-keygen'], { stdio: 'ignore' }).status === 0;
if (!hasKeygen) console.warn('ssh-keygen not installed: ed25519 signing tests skipped');
const home = mkdtempSync(join(tmpdir(), 'tollama-ssh-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe.skipIf(!hasKeygen)('Ollama ed25519 token-request signature', () => {
  mkdirSync(join(home, '.ollama'));
  const keyFile = join(home, '.ollama', 'id_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', keyFile]);
  const pubField = readFileSync(keyFile + '.pub', 'utf8').split(' ')[1]!;

  it('header = <ssh public key>:<signature over GET,url,hash>, verifiable with the public key', async () => {
    const key = parseOpenSSHEd25519(readFileSync(keyFile, 'utf8'));
    const url = 'https://ollama.com/token?nonce=x&scope=repository%3Aa%2Fb%3Apull&service=ollama.com&ts=1';
    const h = signTokenRequest(key, url);
    const [pub, sig] = h.split(':') as [string, string];
    expect(pub).toBe(pubField);
    const raw = Buffer.from(pub, 'base64').subarray(-32);
    const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), raw]);
    const pk = createPublicKey({ key: spki, format: 'der', type: 'spki' });
    expect(verify(null, Buffer.from(tokenSigningString(url)), pk, Buffer.from(sig, 'base64'))).toBe(true);
    const signer = await loadOllamaSigner(home);
    expect((await signer!(url)).startsWith(pubField + ':')).toBe(true);
  });
});

describe('key parsing errors', () => {
  it.each(['', 'hello', '-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----'])('%j → clear error', (pem) => {
    expect(() => parseOpenSSHEd25519(pem)).toThrow(/not an OpenSSH private key|truncated/);
  });
  it('no key file → no signer', async () => {
    expect(await loadOllamaSigner(join(home, 'nobody'))).toBeNull();
  });
});
