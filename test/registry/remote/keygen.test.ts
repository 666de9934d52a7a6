import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureOllamaKey, generateOpenSSHEd25519 } from '../../../src/registry/remote/keygen.js';
import { parseOpenSSHEd25519, signTokenRequest } from '../../../src/registry/remote/sshkey.js';

const hasSshKeygen = (() => {
  try {
    execFileSync('ssh-keygen', ['-?'], { stdio: 'ignore' });
    return true;
  } catch (e) {
    return (e as { status?: number }).status !== undefined && (e as { code?: string }).code !== 'ENOENT';
  }
})();

describe('~/.ollama/id_ed25519', () => {
  it('generates a key our signer reads back, with the matching public key', () => {
    const { privatePem, publicLine } = generateOpenSSHEd25519();
    const key = parseOpenSSHEd25519(privatePem);
    expect(`ssh-ed25519 ${key.publicWire.toString('base64')}`).toBe(publicLine);
    expect(signTokenRequest(key, 'https://ollama.com/token?x=1')).toMatch(/^[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
  });

  it('creates the key once, 0600 and 0644, with Ollama’s message', async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-key-'));
    try {
      const msg = await ensureOllamaKey(home);
      const file = path.join(home, '.ollama', 'id_ed25519');
      expect(msg).toMatch(new RegExp(`^Couldn't find '${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}'\\. Generating new private key\\.\\nYour new public key is: \\n\\nssh-ed25519 AAAA\\S+\\n\\n$`));
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      expect(fs.statSync(file + '.pub').mode & 0o777).toBe(0o644);
      const before = fs.readFileSync(file, 'utf8');
      expect(await ensureOllamaKey(home)).toBe('');
      expect(fs.readFileSync(file, 'utf8')).toBe(before);
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });

  it.skipIf(!hasSshKeygen)('ssh-keygen accepts the private key and derives the same public key', async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-key-'));
    try {
      await ensureOllamaKey(home);
      const file = path.join(home, '.ollama', 'id_ed25519');
      const derived = execFileSync('ssh-keygen', ['-y', '-f', file], { encoding: 'utf8' }).trim();
      expect(derived.split(' ').slice(0, 2).join(' ')).toBe(fs.readFileSync(file + '.pub', 'utf8').trim());
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});
