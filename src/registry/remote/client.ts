/**
 * RegistryClient: requests to one registry for one repository, with authentication
 * (anonymous → Bearer token or Basic, retried once on 401), token caching per scope, redirect
 * rules (same host: follow with credentials; other host: follow without, or hand back to the
 * caller), and SSRF guards (where a registry may send us depends on where it sits: url.ts).
 */
import { fetchToken, parseChallenge } from './auth.js';
import { basicHeader, findCredentials, type Credentials } from './credentials.js';
import { OLLAMA_VERSION, TOLLAMA_VERSION } from '../../version.js';
import { BadRemoteError, RegistryError, UnauthorizedError, formatErrorBody, NotFoundError } from './errors.js';
import { discard, header, isRedirect, rawRequest, readErrorBody, type BodySource, type RawResponse } from './http.js';
import { loadOllamaSigner } from './sshkey.js';
import { addressClass, hostClass, hostnameOf, isOllamaHost, refusal, type AddressClass, type RemoteRef } from './url.js';

export interface ClientOptions {
  insecure?: boolean;
  env?: NodeJS.ProcessEnv;
  /** Home directory for `~/.docker/config.json` and `~/.ollama/id_ed25519` (tests). */
  home?: string;
  /** Explicit credentials; `null` = none (skips env and docker config lookup). */
  credentials?: Credentials | null;
  /** Token realm hosts trusted besides the registry host itself. */
  allowedRealmHosts?: readonly string[];
  /** Where the registry sits (url.ts AddressClass), which decides where it may send us.
   *  Default: from its host when that is an address or `localhost`, else from the address the
   *  connection to it reached (`public` until known, and behind a proxy). Tests set it to
   *  pretend a loopback registry is public. */
  registryClass?: AddressClass;
  headersTimeoutMs?: number;
  maxTokenBytes?: number;
}

export type Access = 'pull' | 'push';

export interface SendOptions {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: BodySource;
  access: Access;
  signal?: AbortSignal;
  /** 'all' (default): follow every redirect (credentials only on the registry host).
   *  'same-host': return the first redirect that leaves the registry host. 'none'. */
  redirects?: 'all' | 'same-host' | 'none';
}

const MAX_HOPS = 10;

/** What a 412 (Precondition Failed) from a registry means: the model needs a newer Ollama. */
const TOO_OLD = `this model requires a newer version of Ollama than ${OLLAMA_VERSION} (the version Tollama ${TOLLAMA_VERSION} implements)`;

export class RegistryClient {
  private tokens = new Map<Access, string>();
  private basic = false;
  private creds: Credentials | null | undefined;
  /** The registry is on this machine (loopback). */
  readonly registryIsLocal: boolean;
  private registryClass: AddressClass;
  private readonly classFixed: boolean;

  constructor(
    readonly ref: RemoteRef,
    readonly opts: ClientOptions = {},
  ) {
    this.creds = opts.credentials;
    const literal = hostClass(hostnameOf(ref.host));
    this.registryClass = opts.registryClass ?? literal ?? 'public';
    this.classFixed = !!(opts.registryClass ?? literal);
    this.registryIsLocal = this.registryClass === 'loopback';
  }

  /** The registry's class as known so far (see ClientOptions.registryClass). */
  get where(): AddressClass {
    return this.registryClass;
  }

  /** A response from the registry host: a named registry's class is that of the address the
   *  connection reached (not of a second DNS answer an attacker could vary). */
  private notePeer(res: RawResponse): void {
    if (!this.classFixed && res.peer) this.registryClass = addressClass(res.peer);
  }

  private async credentials(): Promise<Credentials | null> {
    if (this.creds === undefined) {
      this.creds = await findCredentials(this.ref.host, { env: this.opts.env, home: this.opts.home });
    }
    return this.creds;
  }

  private onRegistryHost(url: string): boolean {
    const u = new URL(url);
    return u.host.toLowerCase() === this.ref.host.toLowerCase() && u.protocol === new URL(this.ref.base).protocol;
  }

  /** Checks a URL the registry pointed us to (Location, redirect): scheme and SSRF rules. */
  checkRemoteURL(url: string): void {
    const u = new URL(url);
    if (u.protocol !== 'https:' && !(u.protocol === 'http:' && this.ref.insecure)) {
      throw new BadRemoteError(`registry redirected to ${u.protocol}//${u.host}: only https is allowed (or http with insecure)`);
    }
    const cls = hostClass(u.hostname);
    const why = cls && refusal(this.registryClass, cls);
    if (why) throw new BadRemoteError(`refusing the registry's redirect to ${u.host}: ${why}`);
  }

  private authHeader(access: Access): string | null {
    if (this.basic && this.creds) return basicHeader(this.creds);
    const t = this.tokens.get(access) ?? (access === 'pull' ? this.tokens.get('push') : undefined);
    return t ? `Bearer ${t}` : null;
  }

  /** One request with auth and redirects. 401 twice → UnauthorizedError. Other statuses are
   *  returned to the caller (use `expectOK` / `errorFrom`). */
  async send(o: SendOptions): Promise<RawResponse> {
    let url = o.url;
    let method = o.method;
    let body = o.body;
    let authRetried = false;
    for (let hop = 0; hop <= MAX_HOPS; hop++) {
      const same = this.onRegistryHost(url);
      const headers: Record<string, string> = { ...(o.headers ?? {}) };
      if (same) {
        const a = this.authHeader(o.access);
        if (a) headers.authorization = a;
      }
      const res = await rawRequest({
        method,
        url,
        headers,
        body,
        signal: o.signal,
        insecureTLS: this.ref.insecure,
        ...(same ? {} : { guard: this.registryClass }),
        headersTimeoutMs: this.opts.headersTimeoutMs,
        env: this.opts.env,
      });
      if (same) this.notePeer(res);
      if (res.status === 401 && same) {
        const challenge = header(res.headers, 'www-authenticate');
        const errBody = await readErrorBody(res);
        if (authRetried || !challenge) throw this.unauthorized(errBody);
        authRetried = true;
        await this.authenticate(challenge, o.access, o.signal);
        continue;
      }
      if (isRedirect(res.status) && o.redirects !== 'none') {
        const loc = header(res.headers, 'location');
        if (!loc) return res;
        const next = new URL(loc, url).toString();
        this.checkRemoteURL(next);
        if (o.redirects === 'same-host' && !this.onRegistryHost(next)) return res;
        discard(res);
        if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
          method = 'GET';
          body = undefined;
        }
        url = next;
        continue;
      }
      return res;
    }
    throw new BadRemoteError(`too many redirects (more than ${MAX_HOPS})`);
  }

  private unauthorized(body: Buffer): RegistryError {
    if (isOllamaHost(this.ref.host)) return new UnauthorizedError();
    const detail = body.length ? formatErrorBody(401, body, 'application/json') : '';
    return new UnauthorizedError(detail && detail !== '401 Unauthorized' ? `unauthorized: access denied (${detail})` : undefined);
  }

  private async authenticate(value: string, access: Access, signal?: AbortSignal): Promise<void> {
    const ch = parseChallenge(value);
    if (!ch) throw new BadRemoteError('registry sent an unreadable WWW-Authenticate header');
    const creds = await this.credentials();
    if (ch.scheme === 'basic') {
      if (!creds) {
        throw new UnauthorizedError(`unauthorized: ${this.ref.host} needs a user name and password (set OLLAMA_REGISTRY_AUTH or ~/.docker/config.json)`);
      }
      this.basic = true;
      return;
    }
    if (ch.scheme !== 'bearer') throw new BadRemoteError(`unsupported authentication scheme "${ch.scheme}"`);
    const sign = !creds && isOllamaHost(this.ref.host) ? await loadOllamaSigner(this.opts.home) : null;
    const token = await fetchToken(ch, {
      registryHost: this.ref.host,
      allowedRealmHosts: this.opts.allowedRealmHosts,
      credentials: creds,
      sign: sign ?? undefined,
      insecure: this.ref.insecure,
      signal,
      maxBytes: this.opts.maxTokenBytes,
      headersTimeoutMs: this.opts.headersTimeoutMs,
      env: this.opts.env,
    });
    this.tokens.set(access, token);
  }

  /** Builds the error for a non-success response (reads a capped body). */
  async errorFrom(res: RawResponse, what: string): Promise<RegistryError> {
    const body = await readErrorBody(res);
    if (res.status === 404) return new NotFoundError();
    let msg = formatErrorBody(res.status, body, header(res.headers, 'content-type'));
    if (res.status === 412) msg = `${TOO_OLD}; it says: ${msg.replace(/\s+/g, ' ')}`;
    return new RegistryError(`${what}: ${res.status}: ${msg}`, res.status >= 500 ? 502 : res.status, 'REMOTE');
  }
}
