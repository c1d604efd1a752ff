// A small client for the OCI distribution API, only the calls a push needs:
// ping, blob HEAD, cross-repo mount, monolithic blob upload (POST, then PUT
// with the body streamed) and manifest PUT. It owns authentication (Basic and
// the Bearer token flow) and wraps every operation in bounded retries. Each
// response is checked: the expected status, and Docker-Content-Digest equal
// to what was sent.
import { AirlockError } from '../../../shared/airlock-error.ts';
import {
  basicAuthorization,
  bearerChallenge,
  checkTokenRealm,
  findChallenge,
  parseWwwAuthenticate,
  tokenFromResponse,
  tokenRequestUrl,
  type RegistryCredentials,
} from './oci-distribution-auth.ts';
import { parsePushTarget, type PushTarget } from './oci-distribution-reference.ts';
import { abortError, parseRetryAfter, retryOptions, TransientFailure, withRetry, type RetryOptions } from './oci-distribution-retry.ts';

export type FetchFunction = (input: string | URL, init: RequestInit) => Promise<Response>;

/** A request body; called again for every attempt, so a streamed file is reopened rather than replayed. */
export type BodyFactory = () => ReadableStream<Uint8Array> | Uint8Array;

export interface OciDistributionClientOptions {
  /** HOST[:PORT] of the registry. */
  target: PushTarget | string;
  /** Plain HTTP instead of HTTPS; only ever on explicit request. */
  insecureHttp?: boolean;
  credentials?: RegistryCredentials | null;
  fetch?: FetchFunction;
  retry?: Partial<RetryOptions>;
  signal?: AbortSignal;
  userAgent?: string;
  /** Called before each retry, e.g. to log it. */
  onRetry?: (info: { what: string; attempt: number; delayMs: number; reason: string }) => void;
}

export type MountResult = { mounted: true } | { mounted: false; location: string | null };

type AuthState =
  | { kind: 'unknown' }
  | { kind: 'anonymous' }
  | { kind: 'basic'; header: string }
  | { kind: 'bearer'; realm: URL; service: string | null };

interface ExchangeOptions {
  scopes: string[];
  headers?: Record<string, string>;
  body?: BodyFactory;
  redirect?: RequestInit['redirect'];
}

const MAX_ERROR_BODY = 64 * 1024;

export function pushScope(repository: string): string {
  return `repository:${repository}:pull,push`;
}

export function pullScope(repository: string): string {
  return `repository:${repository}:pull`;
}

/**
 * The URL to PUT a monolithic upload to: the Location the registry returned
 * (absolute or relative to the registry) with `digest` added to whatever
 * query it already carries (upload state tokens must survive byte for byte).
 */
export function uploadUrlWithDigest(location: string, base: URL, digest: string): URL {
  let url: URL;
  try {
    url = new URL(location, base);
  } catch {
    throw new AirlockError('PUSH_FAILED', `the registry returned an unusable upload Location "${location}"`, { details: { location } });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new AirlockError('PUSH_FAILED', `the registry returned an upload Location with scheme ${url.protocol}`, { details: { location } });
  }
  if (base.protocol === 'https:' && url.protocol === 'http:') {
    throw new AirlockError('PUSH_FAILED', `the registry sent the upload to plain HTTP (${url.origin}) although it was reached over HTTPS; refusing to downgrade`, { details: { location } });
  }
  const param = `digest=${encodeURIComponent(digest)}`;
  url.search = url.search.length > 1 ? `${url.search}&${param}` : `?${param}`;
  return url;
}

/** `errors[].code: message` from a registry's error JSON, else the start of the body. */
export function describeRegistryErrorBody(text: string): string {
  try {
    const body = JSON.parse(text) as { errors?: Array<{ code?: unknown; message?: unknown; detail?: unknown }> };
    if (Array.isArray(body.errors) && body.errors.length > 0) {
      return body.errors
        .map((e) => {
          const code = typeof e.code === 'string' ? e.code : 'ERROR';
          const message = typeof e.message === 'string' ? e.message : '';
          const detail = e.detail === undefined || e.detail === null ? '' : typeof e.detail === 'string' ? e.detail : JSON.stringify(e.detail);
          return `${code}${message ? `: ${message}` : ''}${detail ? ` (${detail.slice(0, 300)})` : ''}`;
        })
        .join('; ');
    }
  } catch {
    // Not JSON: fall through to the raw text.
  }
  return text.trim().replace(/\s+/g, ' ').slice(0, 300);
}

async function readSmallText(res: Response): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.length;
      if (size >= MAX_ERROR_BODY) break;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).toString('utf8').slice(0, MAX_ERROR_BODY);
}

async function drain(res: Response): Promise<void> {
  await res.body?.cancel().catch(() => undefined);
}

function networkReason(error: unknown): string {
  const e = error as { message?: string; cause?: { code?: string; message?: string } };
  const cause = e?.cause;
  if (cause && (cause.code || cause.message)) return [cause.code, cause.message].filter(Boolean).join(': ');
  return e?.message ?? String(error);
}

export class OciDistributionClient {
  readonly target: PushTarget;
  readonly baseUrl: URL;
  private readonly insecureHttp: boolean;
  private readonly credentials: RegistryCredentials | null;
  private readonly fetchFn: FetchFunction;
  private readonly retry: RetryOptions;
  private readonly signal: AbortSignal | undefined;
  private readonly userAgent: string;
  private readonly onRetry: OciDistributionClientOptions['onRetry'];
  private auth: AuthState = { kind: 'unknown' };
  private readonly tokens = new Map<string, Promise<string>>();

  constructor(opts: OciDistributionClientOptions) {
    this.target = typeof opts.target === 'string' ? parsePushTarget(opts.target) : opts.target;
    this.insecureHttp = opts.insecureHttp ?? false;
    this.baseUrl = new URL(`${this.insecureHttp ? 'http' : 'https'}://${this.target.host}/`);
    this.credentials = opts.credentials ?? null;
    this.fetchFn = opts.fetch ?? ((input, init) => fetch(input, init));
    this.retry = retryOptions(opts.retry);
    this.signal = opts.signal;
    this.userAgent = opts.userAgent ?? 'airlock';
    this.onRetry = opts.onRetry;
  }

  /** GET /v2/: checks that this is a distribution registry and learns how it wants to be authenticated. */
  async ping(): Promise<void> {
    await this.retrying(`reaching ${this.baseUrl.origin}/v2/`, async () => {
      const url = new URL('/v2/', this.baseUrl);
      let res = await this.send('GET', url, { scopes: [] }, undefined);
      if (res.status === 401) {
        await drain(res);
        this.learnChallenge(res, true);
        if (this.auth.kind === 'basic') {
          res = await this.send('GET', url, { scopes: [] }, this.auth.header);
          if (res.status === 401 || res.status === 403) throw await this.authFailure(res, 'GET /v2/');
        } else {
          return;
        }
      }
      if (res.status === 429 || res.status >= 500) throw await this.transient(res, 'GET /v2/');
      if (res.status !== 200) {
        const text = describeRegistryErrorBody(await readSmallText(res));
        throw new AirlockError('PUSH_FAILED', `${this.baseUrl.host} does not look like an OCI distribution registry: GET /v2/ answered ${res.status}${text ? ` (${text})` : ''}`, {
          details: { status: res.status },
        });
      }
      if (this.auth.kind === 'unknown') this.auth = { kind: 'anonymous' };
      await drain(res);
    });
  }

  /** HEAD the blob: true when the repository already holds it. */
  async blobExists(repository: string, digest: string): Promise<boolean> {
    const what = `HEAD /v2/${repository}/blobs/${digest}`;
    return await this.retrying(what, async () => {
      const res = await this.exchange('HEAD', this.url(`/v2/${repository}/blobs/${digest}`), { scopes: [pushScope(repository)], redirect: 'follow' });
      await drain(res);
      if (res.status === 200) return true;
      if (res.status === 404) return false;
      throw await this.unexpected(res, what, [200, 404]);
    });
  }

  /**
   * Asks the registry to link a blob it holds under `fromRepository` into
   * `repository` without sending it. A registry that declines answers 202
   * with an upload session, whose Location is returned for the upload.
   */
  async mountBlob(repository: string, digest: string, fromRepository: string): Promise<MountResult> {
    const path = `/v2/${repository}/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(fromRepository)}`;
    const what = `POST /v2/${repository}/blobs/uploads/ (mount from ${fromRepository})`;
    return await this.retrying(what, async () => {
      const res = await this.exchange('POST', this.url(path), { scopes: [pushScope(repository), pullScope(fromRepository)], headers: { 'content-length': '0' }, redirect: 'manual' });
      if (res.status === 201) {
        await drain(res);
        this.checkDigestHeader(res, digest, what);
        return { mounted: true } as const;
      }
      if (res.status === 202) {
        await drain(res);
        return { mounted: false, location: res.headers.get('location') } as const;
      }
      throw await this.unexpected(res, what, [201, 202]);
    });
  }

  /**
   * Uploads one blob monolithically: POST for a session (or the Location a
   * declined mount returned), then one PUT with Content-Length and the body
   * streamed. A failed attempt restarts from a fresh session.
   */
  async uploadBlob(repository: string, digest: string, size: number, body: BodyFactory, opts: { location?: string | null } = {}): Promise<void> {
    const what = `upload of ${digest} to ${repository}`;
    await this.retrying(what, async (attempt) => {
      let location = attempt === 1 ? (opts.location ?? null) : null;
      if (location === null) {
        const postWhat = `POST /v2/${repository}/blobs/uploads/`;
        const res = await this.exchange('POST', this.url(`/v2/${repository}/blobs/uploads/`), { scopes: [pushScope(repository)], headers: { 'content-length': '0' }, redirect: 'manual' });
        if (res.status !== 202) throw await this.unexpected(res, postWhat, [202]);
        await drain(res);
        location = res.headers.get('location');
        if (!location) throw new AirlockError('PUSH_FAILED', `${postWhat} answered 202 without a Location header`, { details: { repository } });
      }
      const url = uploadUrlWithDigest(location, this.baseUrl, digest);
      const putWhat = `PUT ${url.pathname} (${digest})`;
      const res = await this.exchange('PUT', url, {
        scopes: [pushScope(repository)],
        headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) },
        body,
        redirect: 'manual',
      });
      if (res.status !== 201) throw await this.unexpected(res, putWhat, [201]);
      await drain(res);
      this.checkDigestHeader(res, digest, putWhat);
    });
  }

  /** PUT a manifest under a tag or its digest; returns the digest the registry computed, which must equal `digest`. */
  async putManifest(repository: string, reference: string, mediaType: string, bytes: Uint8Array, digest: string): Promise<string> {
    const what = `PUT /v2/${repository}/manifests/${reference}`;
    return await this.retrying(what, async () => {
      const res = await this.exchange('PUT', this.url(`/v2/${repository}/manifests/${reference}`), {
        scopes: [pushScope(repository)],
        headers: { 'content-type': mediaType, 'content-length': String(bytes.length) },
        body: () => bytes,
        redirect: 'manual',
      });
      if (res.status !== 201 && res.status !== 200) throw await this.unexpected(res, what, [201]);
      await drain(res);
      this.checkDigestHeader(res, digest, what);
      return digest;
    });
  }

  private url(pathAndQuery: string): URL {
    return new URL(pathAndQuery, this.baseUrl);
  }

  private async retrying<T>(what: string, op: (attempt: number) => Promise<T>): Promise<T> {
    return await withRetry(what, op, this.retry, this.signal, ({ attempt, delayMs, failure }) => {
      this.onRetry?.({ what, attempt, delayMs, reason: failure.message });
    });
  }

  private checkDigestHeader(res: Response, expected: string, what: string): void {
    const got = res.headers.get('docker-content-digest');
    if (got !== null && got.trim() !== expected) {
      throw new AirlockError('PUSH_FAILED', `${what}: the registry stored ${got.trim()} but Airlock sent ${expected}`, { details: { expected, got: got.trim() } });
    }
  }

  /** One HTTP exchange with authentication: learns a challenge on 401 and tries once more with credentials. */
  private async exchange(method: string, url: URL, opts: ExchangeOptions): Promise<Response> {
    const sameOrigin = url.origin === this.baseUrl.origin;
    for (let authTry = 0; ; authTry++) {
      const authorization = sameOrigin ? await this.authorization(opts.scopes) : undefined;
      const res = await this.send(method, url, opts, authorization);
      if (res.status === 401 && authTry === 0 && sameOrigin) {
        await drain(res);
        const hadCredentials = authorization !== undefined;
        this.learnChallenge(res, !hadCredentials);
        // A Bearer token may simply have expired: fetch a fresh one.
        this.tokens.delete(opts.scopes.join(' '));
        continue;
      }
      if (res.status === 401 || res.status === 403) throw await this.authFailure(res, `${method} ${url.pathname}`);
      if (res.status === 429 || res.status >= 500) throw await this.transient(res, `${method} ${url.pathname}`);
      return res;
    }
  }

  private async send(method: string, url: URL, opts: ExchangeOptions, authorization: string | undefined): Promise<Response> {
    const headers: Record<string, string> = { 'user-agent': this.userAgent, ...opts.headers };
    if (authorization !== undefined) headers.authorization = authorization;
    const body = opts.body?.();
    const init: RequestInit = { method, headers, redirect: opts.redirect ?? 'manual', signal: this.signal };
    if (body !== undefined) {
      init.body = body;
      init.duplex = 'half';
      // Only redirect 'error' keeps memory bounded: with 'follow' or 'manual'
      // fetch clones the request to be able to replay it, teeing a streamed
      // body whose unread branch then holds every byte of a GiB layer.
      init.redirect = 'error';
    }
    try {
      return await this.fetchFn(url, init);
    } catch (error) {
      if (this.signal?.aborted) throw abortError(this.signal);
      if (error instanceof AirlockError) throw error;
      const reason = networkReason(error);
      if (body !== undefined && /redirect/i.test(reason)) {
        throw new AirlockError('PUSH_FAILED', `${method} ${url.origin}${url.pathname}: the registry answered with a redirect, which Airlock does not follow for uploads`, { cause: error });
      }
      // TLS set-up failures are permanent: retrying cannot fix a certificate or a plain-HTTP server.
      const untrusted = /CERT|certificate|self[- ]signed|UNABLE_TO_(VERIFY|GET)_/i.test(reason);
      const notTls = !untrusted && !this.insecureHttp && /EPROTO|wrong version number|packet length/i.test(reason);
      if (untrusted || notTls) {
        const hint = untrusted
          ? 'its TLS certificate is not trusted: add your CA to NODE_EXTRA_CA_CERTS'
          : 'the registry may speak plain HTTP: use --insecure-http for a lab registry';
        throw new AirlockError('PUSH_FAILED', `${method} ${url.origin}${url.pathname}: ${reason} (${hint})`, { cause: error, details: { tls: reason } });
      }
      throw new TransientFailure(`${method} ${url.origin}${url.pathname}: ${reason}`, { cause: error });
    }
  }

  /**
   * Records how the registry wants to be authenticated from a 401. `fresh`
   * is false when credentials were already sent, so a Basic challenge then
   * means they were refused.
   */
  private learnChallenge(res: Response, fresh: boolean): void {
    const header = res.headers.get('www-authenticate');
    const challenges = header ? parseWwwAuthenticate(header) : [];
    const bearer = findChallenge(challenges, 'bearer');
    const b = bearer ? bearerChallenge(bearer) : null;
    if (b) {
      if (b.error === 'insufficient_scope' && !fresh) {
        throw new AirlockError('PUSH_AUTH', `the registry ${this.baseUrl.host} denied ${b.scope ?? 'the requested access'} (insufficient_scope)`, { details: { scope: b.scope } });
      }
      const realm = checkTokenRealm(b.realm, this.baseUrl, this.insecureHttp);
      this.auth = { kind: 'bearer', realm, service: b.service };
      return;
    }
    if (findChallenge(challenges, 'basic')) {
      if (!this.credentials) {
        throw new AirlockError('PUSH_AUTH', `the registry ${this.baseUrl.host} requires a user name and password`, { details: { scheme: 'Basic' } });
      }
      if (!fresh && this.auth.kind === 'basic') {
        throw new AirlockError('PUSH_AUTH', `the registry ${this.baseUrl.host} refused the password of user "${this.credentials.username}"`, { details: { scheme: 'Basic' } });
      }
      this.auth = { kind: 'basic', header: basicAuthorization(this.credentials) };
      return;
    }
    throw new AirlockError('PUSH_AUTH', `the registry ${this.baseUrl.host} answered 401 with ${header ? `an unsupported challenge "${header.slice(0, 120)}"` : 'no WWW-Authenticate challenge'}`, {
      details: { challenge: header },
    });
  }

  private async authorization(scopes: string[]): Promise<string | undefined> {
    const auth = this.auth;
    if (auth.kind === 'basic') return auth.header;
    if (auth.kind !== 'bearer' || scopes.length === 0) return undefined;
    const key = scopes.join(' ');
    let pending = this.tokens.get(key);
    if (!pending) {
      pending = this.fetchToken(auth.realm, auth.service, scopes);
      this.tokens.set(key, pending);
      pending.catch(() => this.tokens.delete(key));
    }
    return `Bearer ${await pending}`;
  }

  private async fetchToken(realm: URL, service: string | null, scopes: string[]): Promise<string> {
    const url = tokenRequestUrl(realm, service, scopes);
    const headers: Record<string, string> = { 'user-agent': this.userAgent, accept: 'application/json' };
    if (this.credentials) headers.authorization = basicAuthorization(this.credentials);
    let res: Response;
    try {
      res = await this.fetchFn(url, { method: 'GET', headers, redirect: 'manual', signal: this.signal });
    } catch (error) {
      if (this.signal?.aborted) throw abortError(this.signal);
      throw new TransientFailure(`GET ${url.origin}${url.pathname} (token): ${networkReason(error)}`, { cause: error });
    }
    if (res.status === 429 || res.status >= 500) throw await this.transient(res, `GET ${url.pathname} (token)`);
    if (res.status !== 200) {
      const text = describeRegistryErrorBody(await readSmallText(res));
      const who = this.credentials ? `user "${this.credentials.username}"` : 'anonymous access (give --username and AIRLOCK_REGISTRY_PASSWORD)';
      throw new AirlockError('PUSH_AUTH', `the token service ${url.host} refused ${who} for ${scopes.join(' ')}: ${res.status}${text ? ` ${text}` : ''}`, {
        details: { status: res.status, scopes },
      });
    }
    let body: unknown;
    try {
      body = JSON.parse(await readSmallText(res));
    } catch {
      body = null;
    }
    const token = tokenFromResponse(body);
    if (!token) throw new AirlockError('PUSH_AUTH', `the token service ${url.host} answered without a token`, { details: { scopes } });
    return token.token;
  }

  private async transient(res: Response, what: string): Promise<TransientFailure> {
    const text = describeRegistryErrorBody(await readSmallText(res));
    return new TransientFailure(`${what} answered ${res.status}${res.statusText ? ` ${res.statusText}` : ''}${text ? `: ${text}` : ''}`, {
      status: res.status,
      retryAfterMs: parseRetryAfter(res.headers.get('retry-after'), this.retry.now()),
    });
  }

  private async authFailure(res: Response, what: string): Promise<AirlockError> {
    const text = describeRegistryErrorBody(await readSmallText(res));
    const who = this.credentials ? `user "${this.credentials.username}"` : 'anonymous access';
    return new AirlockError('PUSH_AUTH', `${what}: the registry refused ${who} (${res.status}${text ? `: ${text}` : ''})`, { details: { status: res.status } });
  }

  private async unexpected(res: Response, what: string, expected: number[]): Promise<AirlockError> {
    const text = describeRegistryErrorBody(await readSmallText(res));
    return new AirlockError('PUSH_FAILED', `${what} answered ${res.status}${res.statusText ? ` ${res.statusText}` : ''} (expected ${expected.join(' or ')})${text ? `: ${text}` : ''}`, {
      details: { status: res.status, registryError: text },
    });
  }
}
