import { describe, expect, it } from 'vitest';
import { AirlockError } from '../../../shared/airlock-error.ts';
import { describeRegistryErrorBody, OciDistributionClient, uploadUrlWithDigest, type FetchFunction } from '../../../electron/core/registry/oci-distribution-client.ts';
import { backoffDelayMs, parseRetryAfter, retryOptions, TransientFailure, withRetry } from '../../../electron/core/registry/oci-distribution-retry.ts';

const DIGEST = `sha256:${'d'.repeat(64)}`;
const OTHER = `sha256:${'e'.repeat(64)}`;

interface Call {
  method: string;
  redirect: RequestInit['redirect'];
  url: URL;
  headers: Record<string, string>;
  body: Buffer | null;
}

type Reply = Response | Error | ((call: Call) => Response | Error);

/** A fetch that answers from a script, one reply per call, and records the calls. */
function scriptedFetch(replies: Reply[]): { fetch: FetchFunction; calls: Call[] } {
  const calls: Call[] = [];
  const fetchFn: FetchFunction = async (input, init) => {
    let body: Buffer | null = null;
    if (init.body instanceof ReadableStream) {
      const chunks: Uint8Array[] = [];
      for await (const c of init.body as ReadableStream<Uint8Array>) chunks.push(c);
      body = Buffer.concat(chunks);
    } else if (init.body instanceof Uint8Array) {
      body = Buffer.from(init.body);
    }
    const call: Call = { method: init.method ?? 'GET', redirect: init.redirect, url: new URL(String(input)), headers: init.headers as Record<string, string>, body };
    calls.push(call);
    const next = replies.shift();
    if (next === undefined) throw new Error(`unexpected call ${call.method} ${call.url.href}`);
    const reply = typeof next === 'function' ? next(call) : next;
    if (reply instanceof Error) throw reply;
    return reply;
  };
  return { fetch: fetchFn, calls };
}

const ok = (status: number, headers: Record<string, string> = {}, body: string | null = null): Response => new Response(body, { status, headers });
const registryError = (status: number, code: string, message: string, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify({ errors: [{ code, message, detail: null }] }), { status, headers: { 'content-type': 'application/json', ...headers } });

function recordingRetry(): { sleeps: number[]; retry: { sleep: (ms: number) => Promise<void>; random: () => number; now: () => number } } {
  const sleeps: number[] = [];
  return { sleeps, retry: { sleep: async (ms) => void sleeps.push(ms), random: () => 0, now: () => Date.parse('2026-01-01T00:00:00Z') } };
}

function client(fetchFn: FetchFunction, retry: object): OciDistributionClient {
  return new OciDistributionClient({ target: '127.0.0.1:5000', insecureHttp: true, fetch: fetchFn, retry });
}

async function failure(p: Promise<unknown>): Promise<AirlockError> {
  const error = await p.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(AirlockError);
  return error as AirlockError;
}

describe('retry policy on a scripted registry', () => {
  it('retries a 503 and succeeds on the 201 that follows', async () => {
    const { sleeps, retry } = recordingRetry();
    const { fetch, calls } = scriptedFetch([registryError(503, 'UNAVAILABLE', 'try later'), ok(201, { 'docker-content-digest': DIGEST })]);
    await client(fetch, retry).putManifest('app/api', '1.2.3', 'application/vnd.oci.image.manifest.v1+json', Buffer.from('{}'), DIGEST);
    expect(calls.map((c) => c.method)).toEqual(['PUT', 'PUT']);
    expect(calls[1]!.body?.toString()).toBe('{}');
    expect(sleeps).toEqual([250]); // base 500 ms × jitter ½ with random() = 0
  });

  it('waits as long as a 429\'s Retry-After asks', async () => {
    const { sleeps, retry } = recordingRetry();
    const { fetch, calls } = scriptedFetch([registryError(429, 'TOOMANYREQUESTS', 'slow down', { 'retry-after': '3' }), ok(200)]);
    expect(await client(fetch, retry).blobExists('app/api', DIGEST)).toBe(true);
    expect(calls).toHaveLength(2);
    expect(sleeps).toEqual([3000]);
  });

  it('fails at once on a 400 with the registry\'s error code and message', async () => {
    const { sleeps, retry } = recordingRetry();
    const { fetch, calls } = scriptedFetch([registryError(400, 'MANIFEST_INVALID', 'manifest invalid'), ok(201)]);
    const error = await failure(client(fetch, retry).putManifest('app/api', '1.2.3', 'application/vnd.oci.image.manifest.v1+json', Buffer.from('{}'), DIGEST));
    expect(error.code).toBe('PUSH_FAILED');
    expect(error.message).toContain('PUT /v2/app/api/manifests/1.2.3 answered 400');
    expect(error.message).toContain('MANIFEST_INVALID: manifest invalid');
    expect(calls).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('retries network errors with growing delays and gives up after 5 tries', async () => {
    const { sleeps, retry } = recordingRetry();
    const refused = (): Error => Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:5000' } });
    const { fetch, calls } = scriptedFetch([refused(), refused(), refused(), refused(), refused()]);
    const error = await failure(client(fetch, retry).ping());
    expect(error.code).toBe('PUSH_FAILED');
    expect(error.message).toMatch(/after 5 tries: GET http:\/\/127\.0\.0\.1:5000\/v2\/: ECONNREFUSED/);
    expect(calls).toHaveLength(5);
    expect(sleeps).toEqual([250, 500, 1000, 2000]);
  });

  it('gives up when Retry-After is beyond the retry budget', async () => {
    const { sleeps, retry } = recordingRetry();
    const { fetch, calls } = scriptedFetch([registryError(503, 'UNAVAILABLE', 'maintenance', { 'retry-after': '120' })]);
    const error = await failure(client(fetch, retry).blobExists('app/api', DIGEST));
    expect(error.message).toMatch(/asked to wait 120 s, beyond the retry budget of 30 s/);
    expect(calls).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('restarts a failed blob upload from a fresh session, reopening the body', async () => {
    const { retry } = recordingRetry();
    const { fetch, calls } = scriptedFetch([
      ok(202, { location: '/v2/app/api/blobs/uploads/one?_state=s1' }),
      registryError(500, 'UNKNOWN', 'disk hiccup'),
      ok(202, { location: '/v2/app/api/blobs/uploads/two?_state=s2' }),
      ok(201, { 'docker-content-digest': DIGEST }),
    ]);
    let opened = 0;
    await client(fetch, retry).uploadBlob('app/api', DIGEST, 5, () => {
      opened++;
      return new Uint8Array([1, 2, 3, 4, 5]);
    });
    expect(opened).toBe(2);
    expect(calls.map((c) => `${c.method} ${c.url.pathname}${c.url.search}`)).toEqual([
      'POST /v2/app/api/blobs/uploads/',
      `PUT /v2/app/api/blobs/uploads/one?_state=s1&digest=${encodeURIComponent(DIGEST)}`,
      'POST /v2/app/api/blobs/uploads/',
      `PUT /v2/app/api/blobs/uploads/two?_state=s2&digest=${encodeURIComponent(DIGEST)}`,
    ]);
    expect(calls[3]!.headers['content-length']).toBe('5');
    // A body-carrying request must not be replayable by fetch, or fetch tees and buffers the whole stream.
    expect(calls[3]!.redirect).toBe('error');
    expect(calls[3]!.headers['content-type']).toBe('application/octet-stream');
  });

  it('refuses a registry that stores another digest than the one sent', async () => {
    const { retry } = recordingRetry();
    const { fetch } = scriptedFetch([ok(202, { location: '/v2/a/blobs/uploads/u' }), ok(201, { 'docker-content-digest': OTHER })]);
    const error = await failure(client(fetch, retry).uploadBlob('a', DIGEST, 1, () => new Uint8Array([0])));
    expect(error.code).toBe('PUSH_FAILED');
    expect(error.message).toContain(`stored ${OTHER} but Airlock sent ${DIGEST}`);
  });

  it('mounts across repositories, or hands back the session the registry opened instead', async () => {
    const { retry } = recordingRetry();
    const { fetch, calls } = scriptedFetch([ok(201, { 'docker-content-digest': DIGEST }), ok(202, { location: '/v2/b/blobs/uploads/x' })]);
    const c = client(fetch, retry);
    expect(await c.mountBlob('b', DIGEST, 'a')).toEqual({ mounted: true });
    expect(await c.mountBlob('b', DIGEST, 'a')).toEqual({ mounted: false, location: '/v2/b/blobs/uploads/x' });
    expect(calls[0]!.url.searchParams.get('mount')).toBe(DIGEST);
    expect(calls[0]!.url.searchParams.get('from')).toBe('a');
  });

  it('asks for credentials when a Basic registry gets none (PUSH_AUTH)', async () => {
    const { retry } = recordingRetry();
    const { fetch } = scriptedFetch([ok(401, { 'www-authenticate': 'Basic realm="lab"' })]);
    const error = await failure(client(fetch, retry).ping());
    expect(error.code).toBe('PUSH_AUTH');
    expect(error.message).toMatch(/requires a user name and password/);
  });

  it('hints at --insecure-http when HTTPS meets a plain-HTTP registry', async () => {
    const { retry } = recordingRetry();
    const tlsError = (): Error => Object.assign(new TypeError('fetch failed'), { cause: { code: 'EPROTO', message: 'wrong version number' } });
    const { fetch, calls } = scriptedFetch([tlsError()]);
    const c = new OciDistributionClient({ target: 'registry.lab:5000', fetch, retry });
    expect(c.baseUrl.href).toBe('https://registry.lab:5000/');
    const error = await failure(c.ping());
    expect(error.code).toBe('PUSH_FAILED');
    expect(error.message).toMatch(/use --insecure-http/);
    expect(calls).toHaveLength(1); // not retried: it cannot get better
  });

  it('points at NODE_EXTRA_CA_CERTS for an untrusted certificate, without retrying', async () => {
    const { sleeps, retry } = recordingRetry();
    const certError = Object.assign(new TypeError('fetch failed'), { cause: { code: 'DEPTH_ZERO_SELF_SIGNED_CERT', message: 'self-signed certificate' } });
    const { fetch, calls } = scriptedFetch([certError]);
    const error = await failure(new OciDistributionClient({ target: 'registry.lab:5000', fetch, retry }).ping());
    expect(error.message).toMatch(/DEPTH_ZERO_SELF_SIGNED_CERT: self-signed certificate \(its TLS certificate is not trusted: add your CA to NODE_EXTRA_CA_CERTS\)/);
    expect(calls).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('reports a server that is not a registry', async () => {
    const { retry } = recordingRetry();
    const { fetch } = scriptedFetch([ok(404, {}, 'not found')]);
    const error = await failure(client(fetch, retry).ping());
    expect(error.code).toBe('PUSH_FAILED');
    expect(error.message).toMatch(/does not look like an OCI distribution registry: GET \/v2\/ answered 404/);
  });

  it('stops with CANCELLED when the signal aborts during a backoff', async () => {
    const controller = new AbortController();
    const { fetch } = scriptedFetch([registryError(503, 'UNAVAILABLE', 'x')]);
    const c = new OciDistributionClient({
      target: '127.0.0.1:5000',
      insecureHttp: true,
      fetch,
      signal: controller.signal,
      retry: { sleep: async () => controller.abort(), random: () => 0 },
    });
    const error = await failure(c.blobExists('a', DIGEST));
    expect(error.code).toBe('CANCELLED');
  });
});

describe('backoff and Retry-After', () => {
  it('grows exponentially with jitter in [½, 1] and a cap', () => {
    const o = { baseDelayMs: 500, maxDelayMs: 8000 };
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelayMs(n, { ...o, random: () => 0 }))).toEqual([250, 500, 1000, 2000, 4000, 4000]);
    expect(backoffDelayMs(3, { ...o, random: () => 0.999999 })).toBe(2000);
  });

  it('reads seconds and HTTP dates', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
  });

  it('passes other errors straight through without retrying', async () => {
    let tries = 0;
    const boom = new AirlockError('IO_ERROR', 'disk gone');
    await expect(withRetry('x', async () => {
      tries++;
      throw boom;
    }, retryOptions({ sleep: async () => {} }))).rejects.toBe(boom);
    expect(tries).toBe(1);
  });

  it('spends at most the total budget', async () => {
    const sleeps: number[] = [];
    const opts = retryOptions({ tries: 100, baseDelayMs: 1000, maxDelayMs: 8000, maxTotalDelayMs: 10_000, random: () => 0.999, sleep: async (ms) => void sleeps.push(ms) });
    const error = await withRetry('x', async () => {
      throw new TransientFailure('503');
    }, opts).catch((e: unknown) => e as AirlockError);
    expect(error.code).toBe('PUSH_FAILED');
    expect(sleeps.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(10_000);
    expect(sleeps.length).toBeGreaterThanOrEqual(2);
  });
});

describe('upload Location handling', () => {
  const base = new URL('http://127.0.0.1:5000/');
  const q = `digest=${encodeURIComponent(DIGEST)}`;
  const cases: Array<[string, string]> = [
    ['/v2/app/blobs/uploads/u1', `http://127.0.0.1:5000/v2/app/blobs/uploads/u1?${q}`],
    ['/v2/app/blobs/uploads/u1?_state=a%2Bb%3D%3D&x=1', `http://127.0.0.1:5000/v2/app/blobs/uploads/u1?_state=a%2Bb%3D%3D&x=1&${q}`],
    ['http://127.0.0.1:5000/v2/app/blobs/uploads/u2?_state=abc', `http://127.0.0.1:5000/v2/app/blobs/uploads/u2?_state=abc&${q}`],
    ['http://127.0.0.1:5000/v2/app/blobs/uploads/u3', `http://127.0.0.1:5000/v2/app/blobs/uploads/u3?${q}`],
    ['https://uploads.lab/v2/app/blobs/uploads/u4?', `https://uploads.lab/v2/app/blobs/uploads/u4?${q}`],
    ['u5', `http://127.0.0.1:5000/u5?${q}`],
  ];
  it.each(cases)('%s → %s', (location, expected) => {
    expect(uploadUrlWithDigest(location, base, DIGEST).href).toBe(expected);
  });

  it('refuses a downgrade from HTTPS to HTTP and other schemes', () => {
    expect(() => uploadUrlWithDigest('http://registry.lab/v2/a/blobs/uploads/u', new URL('https://registry.lab/'), DIGEST)).toThrow(/refusing to downgrade/);
    expect(() => uploadUrlWithDigest('ftp://registry.lab/u', new URL('https://registry.lab/'), DIGEST)).toThrow(/scheme ftp:/);
  });

  it('does not send the registry\'s credentials to an upload Location on another host', async () => {
    const { fetch, calls } = scriptedFetch([
      ok(401, { 'www-authenticate': 'Basic realm="lab"' }),
      ok(200),
      ok(202, { location: 'http://uploads.lab:9000/up/1' }),
      ok(201, { 'docker-content-digest': DIGEST }),
    ]);
    const c = new OciDistributionClient({ target: '127.0.0.1:5000', insecureHttp: true, fetch, credentials: { username: 'u', password: 'p' }, retry: recordingRetry().retry });
    await c.ping();
    await c.uploadBlob('a', DIGEST, 1, () => new Uint8Array([9]));
    expect(calls[2]!.headers.authorization).toMatch(/^Basic /);
    expect(calls[3]!.url.host).toBe('uploads.lab:9000');
    expect(calls[3]!.headers.authorization).toBeUndefined();
  });
});

describe('registry error bodies', () => {
  it('joins errors[] codes, messages and details', () => {
    expect(describeRegistryErrorBody('{"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown to registry","detail":"sha256:x"},{"code":"DENIED"}]}'))
      .toBe('BLOB_UNKNOWN: blob unknown to registry (sha256:x); DENIED');
    expect(describeRegistryErrorBody('<html>\n  bad gateway </html>')).toBe('<html> bad gateway </html>');
  });
});
