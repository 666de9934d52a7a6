/**
 * Ollama's signed token requests for ollama.com (reference §7.2): the key is
 * `~/.ollama/id_ed25519` (an unencrypted OpenSSH private key); the Authorization header of the
 * token request is `<base64 SSH wire public key>:<base64 ed25519 signature>` over
 * `GET,<token url>,<base64(hex sha256(""))>`.
 */
import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { tokenSigningString } from './auth.js';

export interface Ed25519Key {
  privateKey: KeyObject;
  /** The SSH wire encoding of the public key (what follows `ssh-ed25519 ` in a .pub line). */
  publicWire: Buffer;
}

class Reader {
  private off = 0;
  constructor(private readonly buf: Buffer) {}
  u32(): number {
    if (this.off + 4 > this.buf.length) throw new Error('truncated key');
    const v = this.buf.readUInt32BE(this.off);
    this.off += 4;
    return v;
  }
  bytes(): Buffer {
    const n = this.u32();
    if (this.off + n > this.buf.length) throw new Error('truncated key');
    const b = this.buf.subarray(this.off, this.off + n);
    this.off += n;
    return b;
  }
}

function sshString(b: Buffer | string): Buffer {
  const body = typeof b === 'string' ? Buffer.from(b) : b;
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  return Buffer.concat([len, body]);
}

const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const MAGIC = Buffer.from('openssh-key-v1\0', 'latin1');

/** Parses an unencrypted OpenSSH ed25519 private key (PEM text). Throws on anything else. */
export function parseOpenSSHEd25519(pem: string): Ed25519Key {
  const m = /-----BEGIN OPENSSH PRIVATE KEY-----([\s\S]*?)-----END OPENSSH PRIVATE KEY-----/.exec(pem);
  if (!m) throw new Error('not an OpenSSH private key');
  const raw = Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64');
  if (!raw.subarray(0, MAGIC.length).equals(MAGIC)) throw new Error('not an OpenSSH private key');
  const r = new Reader(raw.subarray(MAGIC.length));
  const cipher = r.bytes().toString();
  r.bytes(); // kdf name
  r.bytes(); // kdf options
  if (cipher !== 'none') throw new Error('encrypted private keys are not supported');
  if (r.u32() !== 1) throw new Error('expected exactly one key');
  r.bytes(); // public key blob
  const priv = new Reader(r.bytes());
  if (priv.u32() !== priv.u32()) throw new Error('corrupt private key (check bytes differ)');
  if (priv.bytes().toString() !== 'ssh-ed25519') throw new Error('not an ed25519 key');
  const pub = priv.bytes();
  const secret = priv.bytes();
  if (pub.length !== 32 || secret.length !== 64) throw new Error('corrupt ed25519 key');
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519_PREFIX, secret.subarray(0, 32)]),
    format: 'der',
    type: 'pkcs8',
  });
  return { privateKey, publicWire: Buffer.concat([sshString('ssh-ed25519'), sshString(pub)]) };
}

/** The Authorization value for a token request URL. */
export function signTokenRequest(key: Ed25519Key, url: string): string {
  const sig = sign(null, Buffer.from(tokenSigningString(url)), key.privateKey);
  return `${key.publicWire.toString('base64')}:${sig.toString('base64')}`;
}

/** A signer using `<home>/.ollama/id_ed25519`, or null when there is no usable key. */
export async function loadOllamaSigner(home?: string): Promise<((url: string) => Promise<string>) | null> {
  let pem: string;
  try {
    pem = await readFile(join(home ?? homedir(), '.ollama', 'id_ed25519'), 'utf8');
  } catch {
    return null;
  }
  let key: Ed25519Key;
  try {
    key = parseOpenSSHEd25519(pem);
  } catch {
    return null;
  }
  return async (url: string) => signTokenRequest(key, url);
}
