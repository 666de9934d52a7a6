/** HTTP(S)_PROXY / NO_PROXY read as Go's http.ProxyFromEnvironment reads them (a table). */
import { describe, expect, it } from 'vitest';
import { parseProxyValue, proxyEnv, proxyFor, ProxyConfigError } from '../../../src/registry/remote/proxyenv.js';

const P = 'http://proxy.corp:3128';

describe('proxyFor', () => {
  it.each([
    // [request URL, env, expected proxy href or null]
    ['https://registry.ollama.ai/v2/', { HTTPS_PROXY: P }, 'http://proxy.corp:3128/'],
    ['https://registry.ollama.ai/v2/', { https_proxy: P }, 'http://proxy.corp:3128/'],
    ['https://registry.ollama.ai/v2/', { HTTPS_PROXY: P, https_proxy: 'http://other:1' }, 'http://proxy.corp:3128/'],
    ['https://registry.ollama.ai/v2/', { HTTPS_PROXY: '', https_proxy: 'http://other:1' }, 'http://other:1/'],
    ['https://registry.ollama.ai/v2/', { HTTP_PROXY: P }, null],
    ['http://reg.corp:5000/v2/', { HTTP_PROXY: P }, 'http://proxy.corp:3128/'],
    ['http://reg.corp:5000/v2/', { HTTPS_PROXY: P }, null],
    ['https://r.io/', { HTTPS_PROXY: 'proxy.corp:3128' }, 'http://proxy.corp:3128/'],
    ['https://r.io/', { HTTPS_PROXY: 'https://secure.proxy:443' }, 'https://secure.proxy/'],
    ['https://r.io/', { HTTPS_PROXY: 'http://u:p%40ss@proxy:8080' }, 'http://u:p%40ss@proxy:8080/'],
    // loopback is never proxied
    ['https://localhost:5000/', { HTTPS_PROXY: P }, null],
    ['http://127.0.0.1:5000/', { HTTP_PROXY: P }, null],
    ['http://127.9.9.9/', { HTTP_PROXY: P }, null],
    ['http://[::1]:5000/', { HTTP_PROXY: P }, null],
    ['http://localhost./', { HTTP_PROXY: P }, 'http://proxy.corp:3128/'],
    ['http://vm:5000/', { HTTP_PROXY: P }, 'http://proxy.corp:3128/'],
    // NO_PROXY
    ['https://r.io/', { HTTPS_PROXY: P, NO_PROXY: '*' }, null],
    ['https://r.io/', { HTTPS_PROXY: P, NO_PROXY: 'a.com, *' }, null],
    ['https://r.io/', { HTTPS_PROXY: P, no_proxy: 'r.io' }, null],
    ['https://r.io/', { HTTPS_PROXY: P, NO_PROXY: 'x.io', no_proxy: 'r.io' }, 'http://proxy.corp:3128/'],
    ['https://R.IO/', { HTTPS_PROXY: P, NO_PROXY: ' r.io ' }, null],
    ['https://cdn.r.io/', { HTTPS_PROXY: P, NO_PROXY: 'r.io' }, null],
    ['https://r.io/', { HTTPS_PROXY: P, NO_PROXY: '.r.io' }, 'http://proxy.corp:3128/'],
    ['https://cdn.r.io/', { HTTPS_PROXY: P, NO_PROXY: '.r.io' }, null],
    ['https://cdn.r.io/', { HTTPS_PROXY: P, NO_PROXY: '*.r.io' }, null],
    ['https://r.io/', { HTTPS_PROXY: P, NO_PROXY: '*.r.io' }, 'http://proxy.corp:3128/'],
    ['https://notr.io/', { HTTPS_PROXY: P, NO_PROXY: 'r.io' }, 'http://proxy.corp:3128/'],
    ['https://r.io/', { HTTPS_PROXY: P, NO_PROXY: 'r.io:443' }, null],
    ['https://r.io/', { HTTPS_PROXY: P, NO_PROXY: 'r.io:8443' }, 'http://proxy.corp:3128/'],
    ['https://r.io:8443/', { HTTPS_PROXY: P, NO_PROXY: 'r.io:8443' }, null],
    ['http://10.1.2.3:5000/', { HTTP_PROXY: P, NO_PROXY: '10.0.0.0/8' }, null],
    ['http://11.1.2.3:5000/', { HTTP_PROXY: P, NO_PROXY: '10.0.0.0/8' }, 'http://proxy.corp:3128/'],
    ['http://10.1.2.3:5000/', { HTTP_PROXY: P, NO_PROXY: '10.1.2.3' }, null],
    ['http://10.1.2.3:5000/', { HTTP_PROXY: P, NO_PROXY: '10.1.2.3:5000' }, null],
    ['http://10.1.2.3:5000/', { HTTP_PROXY: P, NO_PROXY: '10.1.2.3:6000' }, 'http://proxy.corp:3128/'],
    ['http://[2001:db8::5]:5000/', { HTTP_PROXY: P, NO_PROXY: '2001:db8::/32' }, null],
    ['http://[2001:db8::5]:5000/', { HTTP_PROXY: P, NO_PROXY: '2001:db8::5' }, null],
    ['http://[2001:db8::5]:5000/', { HTTP_PROXY: P, NO_PROXY: '[2001:db8::5]:5000' }, null],
    // a domain entry never matches an IP, an IP entry never a name
    ['http://10.1.2.3/', { HTTP_PROXY: P, NO_PROXY: '3' }, 'http://proxy.corp:3128/'],
    ['http://ten.corp/', { HTTP_PROXY: P, NO_PROXY: '10.0.0.0/8' }, 'http://proxy.corp:3128/'],
    // malformed entries are skipped
    ['https://r.io/', { HTTPS_PROXY: P, NO_PROXY: ':443,,  ,' }, 'http://proxy.corp:3128/'],
  ])('%s with %j → %s', (url, env, want) => {
    expect(proxyFor(new URL(url), proxyEnv(env))?.href ?? null).toBe(want);
  });

  it('refuses HTTP_PROXY in a CGI environment (httpoxy), as Go does', () => {
    expect(() => proxyFor(new URL('http://r.io/'), proxyEnv({ HTTP_PROXY: P, REQUEST_METHOD: 'GET' }))).toThrow(/refusing to use HTTP_PROXY value in CGI environment/);
    expect(proxyFor(new URL('https://r.io/'), proxyEnv({ HTTPS_PROXY: P, REQUEST_METHOD: 'GET' }))?.host).toBe('proxy.corp:3128');
  });

  it('says what is wrong with an unusable proxy value instead of ignoring it', () => {
    expect(() => parseProxyValue('HTTPS_PROXY', 'socks5://127.0.0.1:1080')).toThrow(ProxyConfigError);
    expect(() => parseProxyValue('HTTPS_PROXY', 'socks5://127.0.0.1:1080')).toThrow(/socks5 proxies are not supported/);
    expect(() => parseProxyValue('HTTPS_PROXY', 'http://[::1')).toThrow(/invalid proxy address "http:\/\/\[::1" in HTTPS_PROXY/);
    expect(() => parseProxyValue('HTTP_PROXY', 'ftp://p:21')).toThrow(/invalid proxy address "ftp:\/\/p:21" in HTTP_PROXY/);
  });
});
