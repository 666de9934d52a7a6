/**
 * Test harness: a real forward proxy (Debian `tinyproxy`) on 127.0.0.1:<free port>, in the
 * foreground with a generated config, accepting clients from loopback only; its log tells which
 * requests went through it. Stopped by its pid.
 *
 * Go's proxy rules (which we follow) never proxy `localhost` or loopback addresses, so a test
 * reaches its loopback registry through a name that is neither: `loopbackName()` — this
 * machine's host name when /etc/hosts maps it to a loopback address. The proxy resolves that
 * name the same way and connects on loopback; nothing leaves the machine.
 */
import { spawn, spawnSync } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';

export function hasTinyproxy(): boolean {
  return spawnSync('sh', ['-c', 'command -v tinyproxy'], { stdio: 'ignore' }).status === 0;
}

export const TINYPROXY_SKIP = 'tinyproxy is not installed (apt-get install -y tinyproxy-bin): proxy tests skipped';

/** A name (not `localhost`, not an IP) this machine resolves to a loopback IPv4 address, with
 *  that address; null when there is none (the proxy tests then skip). */
export async function loopbackName(): Promise<{ name: string; addr: string } | null> {
  const name = hostname();
  if (!name || name === 'localhost' || net.isIP(name)) return null;
  try {
    const all = await lookup(name, { all: true, family: 4 });
    const a = all.find((x) => x.address.startsWith('127.'));
    return a ? { name, addr: a.address } : null;
  } catch {
    return null;
  }
}

export interface RunningProxy {
  port: number;
  url: string; // http://127.0.0.1:PORT
  /** The proxy's log so far. */
  log(): string;
  /** Request lines the proxy handled (`GET http://h:p/… HTTP/1.1`, `CONNECT h:p HTTP/1.1`). */
  requests(): string[];
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

async function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export async function startTinyproxy(): Promise<RunningProxy> {
  const dir = mkdtempSync(join(tmpdir(), 'tollama-proxy-'));
  const port = await freePort();
  const logFile = join(dir, 'tinyproxy.log');
  const cfg = join(dir, 'tinyproxy.conf');
  writeFileSync(
    cfg,
    `Port ${port}
Listen 127.0.0.1
Timeout 60
LogFile "${logFile}"
LogLevel Info
MaxClients 50
Allow 127.0.0.1
DisableViaHeader Yes
`,
  );
  writeFileSync(logFile, '');
  const child = spawn('tinyproxy', ['-d', '-c', cfg], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const log = () => readFileSync(logFile, 'utf8');
  for (let i = 0; !(await accepting(port)); i++) {
    if (i > 200 || child.exitCode !== null) {
      child.kill('SIGTERM');
      throw new Error(`tinyproxy did not start\n${out}\n${log()}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    log,
    requests: () => [...log().matchAll(/Request \(file descriptor \d+\): (.*)$/gm)].map((m) => m[1]!.trim()),
    async stop() {
      try {
        process.kill(child.pid!, 'SIGTERM');
      } catch {
        // already gone
      }
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
