/**
 * `~/.ollama/id_ed25519`: created on the first `ollama serve`, as Ollama does (reference §1.3):
 * an unencrypted OpenSSH ed25519 private key (0600) and its `ssh-ed25519 AAAA…` public key (0644),
 * used to sign token requests to ollama.com.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

function sshString(b: Buffer | string): Buffer {
  const body = typeof b === 'string' ? Buffer.from(b) : b;
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  return Buffer.concat([len, body]);
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

/** A new key pair as OpenSSH writes it: the private key PEM and the public key line. */
export function generateOpenSSHEd25519(): { privatePem: string; publicLine: string } {
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' }) as { d: string; x: string };
  const seed = Buffer.from(jwk.d, 'base64url');
  const pub = Buffer.from(jwk.x, 'base64url');
  const publicWire = Buffer.concat([sshString('ssh-ed25519'), sshString(pub)]);
  const check = randomBytes(4).readUInt32BE();
  let priv = Buffer.concat([u32(check), u32(check), sshString('ssh-ed25519'), sshString(pub), sshString(Buffer.concat([seed, pub])), sshString('')]);
  const pad: number[] = [];
  for (let i = 1; (priv.length + pad.length) % 8 !== 0; i++) pad.push(i);
  priv = Buffer.concat([priv, Buffer.from(pad)]);
  const body = Buffer.concat([
    Buffer.from('openssh-key-v1\0', 'latin1'),
    sshString('none'),
    sshString('none'),
    sshString(''),
    u32(1),
    sshString(publicWire),
    sshString(priv),
  ]);
  const b64 = body.toString('base64').replace(/.{1,70}/g, '$&\n');
  return {
    privatePem: `-----BEGIN OPENSSH PRIVATE KEY-----\n${b64}-----END OPENSSH PRIVATE KEY-----\n`,
    publicLine: `ssh-ed25519 ${publicWire.toString('base64')}`,
  };
}

/**
 * Creates `<home>/.ollama/id_ed25519` (+ `.pub`) when missing; returns Ollama's messages to print
 * (empty when the key existed).
 */
export async function ensureOllamaKey(home: string): Promise<string> {
  const dir = join(home, '.ollama');
  const file = join(dir, 'id_ed25519');
  if (await stat(file).then(() => true, () => false)) return '';
  const { privatePem, publicLine } = generateOpenSSHEd25519();
  await mkdir(dir, { recursive: true, mode: 0o755 });
  await writeFile(file, privatePem, { mode: 0o600, flag: 'wx' }).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'EEXIST') throw err;
  });
  await writeFile(`${file}.pub`, publicLine + '\n', { mode: 0o644 });
  return `Couldn't find '${file}'. Generating new private key.\nYour new public key is: \n\n${publicLine}\n\n`;
}
