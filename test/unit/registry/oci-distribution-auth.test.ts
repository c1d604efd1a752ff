import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AirlockError } from '../../../shared/airlock-error.ts';
import { bearerChallenge, checkTokenRealm, parseWwwAuthenticate, tokenFromResponse, tokenRequestUrl } from '../../../electron/core/registry/oci-distribution-auth.ts';
import { OciDistributionClient } from '../../../electron/core/registry/oci-distribution-client.ts';

const NO_WAIT = { sleep: async () => {}, random: () => 0 };

describe('parseWwwAuthenticate', () => {
  it('reads a Docker-style Bearer challenge', () => {
    const [c] = parseWwwAuthenticate('Bearer realm="https://auth.example/token",service="registry.example",scope="repository:app/api:pull,push"');
    expect(c).toEqual({ scheme: 'bearer', params: { realm: 'https://auth.example/token', service: 'registry.example', scope: 'repository:app/api:pull,push' } });
    expect(bearerChallenge(c!)).toEqual({ realm: 'https://auth.example/token', service: 'registry.example', scope: 'repository:app/api:pull,push', error: null });
  });

  it('reads Basic, lower-cases scheme and parameter names, and tolerates spaces', () => {
    expect(parseWwwAuthenticate('basic Realm="Registry Realm"')).toEqual([{ scheme: 'basic', params: { realm: 'Registry Realm' } }]);
    expect(parseWwwAuthenticate('Bearer  realm = "https://h/t" ,  service=reg')).toEqual([{ scheme: 'bearer', params: { realm: 'https://h/t', service: 'reg' } }]);
  });

  it('splits several challenges in one header', () => {
    const cs = parseWwwAuthenticate('Basic realm="lab", Bearer realm="https://h/token",service="s", Negotiate');
    expect(cs.map((c) => c.scheme)).toEqual(['basic', 'bearer', 'negotiate']);
    expect(cs[1]!.params).toEqual({ realm: 'https://h/token', service: 's' });
  });

  it('keeps token68 credentials apart from parameters', () => {
    const cs = parseWwwAuthenticate('Negotiate abc+/d==, Basic realm="r"');
    expect(cs).toEqual([{ scheme: 'negotiate', params: {}, token68: 'abc+/d==' }, { scheme: 'basic', params: { realm: 'r' } }]);
  });

  it('unescapes quoted strings and keeps commas inside them', () => {
    const [c] = parseWwwAuthenticate('Bearer realm="https://h/t?a=1,b=2",error="insufficient_scope",scope="repository:a:pull,push",x="q\\"uote"');
    expect(c!.params).toEqual({ realm: 'https://h/t?a=1,b=2', error: 'insufficient_scope', scope: 'repository:a:pull,push', x: 'q"uote' });
    expect(bearerChallenge(c!)?.error).toBe('insufficient_scope');
  });

  it('never throws on junk and returns what it could read', () => {
    expect(parseWwwAuthenticate('')).toEqual([]);
    expect(parseWwwAuthenticate('Bearer realm="unterminated')).toEqual([{ scheme: 'bearer', params: {} }]);
    expect(parseWwwAuthenticate('"quoted-start"')).toEqual([]);
    expect(bearerChallenge({ scheme: 'bearer', params: {} })).toBeNull();
  });
});

describe('token realm and token answers', () => {
  const registry = new URL('https://registry.lab:5000/');

  it('accepts a realm on the registry host (any port) over HTTPS', () => {
    expect(checkTokenRealm('https://registry.lab/token', registry, false).href).toBe('https://registry.lab/token');
    expect(checkTokenRealm('https://REGISTRY.lab:5001/auth', registry, false).host).toBe('registry.lab:5001');
  });

  it('refuses a realm on another host, over plain HTTP, relative, or with credentials', () => {
    const code = (realm: string, insecure = false): string => {
      try {
        checkTokenRealm(realm, registry, insecure);
        return 'accepted';
      } catch (error) {
        return (error as AirlockError).code;
      }
    };
    expect(code('https://auth.elsewhere/token')).toBe('PUSH_AUTH');
    expect(code('http://registry.lab/token')).toBe('PUSH_AUTH');
    expect(code('http://registry.lab/token', true)).toBe('accepted');
    expect(code('/token')).toBe('PUSH_AUTH');
    expect(code('https://u:p@registry.lab/token')).toBe('PUSH_AUTH');
  });

  it('builds the token request with service and every scope', () => {
    const url = tokenRequestUrl(new URL('https://registry.lab/token?x=1'), 'reg', ['repository:a:pull,push', 'repository:b:pull']);
    expect(url.searchParams.get('x')).toBe('1');
    expect(url.searchParams.get('service')).toBe('reg');
    expect(url.searchParams.getAll('scope')).toEqual(['repository:a:pull,push', 'repository:b:pull']);
  });

  it('reads token or access_token', () => {
    expect(tokenFromResponse({ token: 't', expires_in: 300 })).toEqual({ token: 't', expiresInSeconds: 300 });
    expect(tokenFromResponse({ access_token: 'a' })).toEqual({ token: 'a', expiresInSeconds: null });
    expect(tokenFromResponse({ token: '' })).toBeNull();
    expect(tokenFromResponse('x')).toBeNull();
  });
});

/** A tiny registry on 127.0.0.1 that wants a Bearer token from its own /token endpoint. */
async function startTokenRegistry(opts: { realmHost?: string; password?: string } = {}): Promise<{
  host: string;
  tokenRequests: Array<{ url: URL; authorization: string | undefined }>;
  seenAuth: string[];
  close(): Promise<void>;
}> {
  const tokenRequests: Array<{ url: URL; authorization: string | undefined }> = [];
  const seenAuth: string[] = [];
  const password = opts.password ?? 'secret';
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const port = (server.address() as AddressInfo).port;
    if (url.pathname === '/token') {
      tokenRequests.push({ url, authorization: req.headers.authorization });
      const expected = `Basic ${Buffer.from(`pusher:${password}`).toString('base64')}`;
      if (req.headers.authorization !== expected) {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"details":"bad credentials"}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token: `tok:${url.searchParams.getAll('scope').join(' ')}`, expires_in: 60 }));
      return;
    }
    seenAuth.push(req.headers.authorization ?? '');
    const realm = `http://${opts.realmHost ?? '127.0.0.1'}:${port}/token`;
    const challenge = (scope?: string): string => `Bearer realm="${realm}",service="fake-registry"${scope ? `,scope="${scope}"` : ''}`;
    if (url.pathname === '/v2/') {
      if (!req.headers.authorization) {
        res.writeHead(401, { 'www-authenticate': challenge(), 'content-type': 'application/json' }).end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
        return;
      }
      res.writeHead(200).end('{}');
      return;
    }
    const blob = /^\/v2\/(.+)\/blobs\/(sha256:[0-9a-f]{64})$/.exec(url.pathname);
    if (blob) {
      const scope = `repository:${blob[1]}:pull,push`;
      if (req.headers.authorization !== `Bearer tok:${scope}`) {
        res.writeHead(401, { 'www-authenticate': challenge(scope) }).end();
        return;
      }
      res.writeHead(200, { 'docker-content-digest': blob[2] }).end();
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    host: `127.0.0.1:${port}`,
    tokenRequests,
    seenAuth,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('Bearer token flow against a fake registry on 127.0.0.1', () => {
  let closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of closers) await close();
    closers = [];
  });
  const digest = `sha256:${'c'.repeat(64)}`;

  it('follows the challenge: token for the repository scope with the user\'s password, then the request with the token', async () => {
    const fake = await startTokenRegistry();
    closers.push(fake.close);
    const client = new OciDistributionClient({ target: fake.host, insecureHttp: true, credentials: { username: 'pusher', password: 'secret' }, retry: NO_WAIT });
    await client.ping();
    expect(await client.blobExists('app/api', digest)).toBe(true);
    expect(await client.blobExists('app/api', digest)).toBe(true);
    // One token per scope set, reused.
    expect(fake.tokenRequests).toHaveLength(1);
    const t = fake.tokenRequests[0]!;
    expect(t.url.searchParams.get('service')).toBe('fake-registry');
    expect(t.url.searchParams.getAll('scope')).toEqual(['repository:app/api:pull,push']);
    expect(fake.seenAuth.at(-1)).toBe('Bearer tok:repository:app/api:pull,push');
  });

  it('fails with PUSH_AUTH when the token service refuses the password', async () => {
    const fake = await startTokenRegistry({ password: 'other' });
    closers.push(fake.close);
    const client = new OciDistributionClient({ target: fake.host, insecureHttp: true, credentials: { username: 'pusher', password: 'secret' }, retry: NO_WAIT });
    await client.ping();
    const error = await client.blobExists('app/api', digest).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AirlockError);
    expect((error as AirlockError).code).toBe('PUSH_AUTH');
    expect((error as AirlockError).message).toMatch(/refused user "pusher"/);
  });

  it('never sends credentials to a token realm on another host', async () => {
    const fake = await startTokenRegistry({ realmHost: 'localhost' });
    closers.push(fake.close);
    const client = new OciDistributionClient({ target: fake.host, insecureHttp: true, credentials: { username: 'pusher', password: 'secret' }, retry: NO_WAIT });
    const error = await client.ping().catch((e: unknown) => e);
    expect((error as AirlockError).code).toBe('PUSH_AUTH');
    expect((error as AirlockError).message).toMatch(/another host \(localhost:\d+\)/);
    expect(fake.tokenRequests).toHaveLength(0);
  });
});
