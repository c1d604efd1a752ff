// The console server's access rules against a real listener on 127.0.0.1:
// one-time token, session cookie, Host and Origin checks, CSP, static files,
// and the IPC contract over the WebSocket.
import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ContractDispatcher, type IpcHandlers } from '../../../electron/ipc/contract-dispatcher.ts';
import { startConsoleServer, type ConsoleServer } from '../../../electron/server/console-server.ts';

let dir: string;
let server: ConsoleServer | undefined;
let connectionSignal: AbortSignal | undefined;

const PROGRESS = { phase: 'verify', bytesDone: 5, bytesTotal: 10, itemsDone: 0, itemsTotal: null, rate: 0, eta: null };

const handlers = {
  'operation.cancel': ({ operationId }: { operationId: string }) => ({ cancelled: operationId === 'op_12345678' }),
  'kit.verify': (_req: unknown, ctx: { emit: (e: 'operation.progress', p: unknown) => void; signal: AbortSignal }) => {
    connectionSignal = ctx.signal;
    ctx.emit('operation.progress', { operationId: 'op_12345678', progress: PROGRESS });
    return new Promise(() => {});
  },
} as unknown as IpcHandlers;

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function request(port: number, urlPath: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: urlPath, method, headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function start(): Promise<ConsoleServer> {
  server = await startConsoleServer({ dispatcher: new ContractDispatcher(handlers), rendererDir: path.join(dir, 'renderer') });
  return server;
}

async function signIn(s: ConsoleServer): Promise<string> {
  const res = await request(s.port, `/?token=${s.access.token}`);
  expect(res.status).toBe(303);
  return String(res.headers['set-cookie']?.[0]).split(';')[0]!;
}

function openSocket(port: number, headers: Record<string, string>): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ipc`, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'airlock-console-'));
  await fs.mkdir(path.join(dir, 'renderer', 'assets'), { recursive: true });
  await fs.writeFile(path.join(dir, 'renderer', 'index.html'), '<!doctype html><title>Airlock</title>');
  await fs.writeFile(path.join(dir, 'renderer', 'assets', 'app.js'), 'console.log(1)');
  await fs.writeFile(path.join(dir, 'secret.txt'), 'not for the browser');
});

afterEach(async () => {
  await server?.close();
  server = undefined;
});

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('console server', () => {
  it('listens on 127.0.0.1 on a port the OS picked and prints a link with the token', async () => {
    const s = await start();
    expect(s.port).toBeGreaterThan(0);
    expect(s.url).toBe(`http://127.0.0.1:${s.port}/?token=${s.access.token}`);
  });

  it('refuses to start when the renderer is not built', async () => {
    await expect(startConsoleServer({ dispatcher: new ContractDispatcher(handlers), rendererDir: path.join(dir, 'nowhere') })).rejects.toMatchObject({ code: 'IO_ERROR' });
  });

  it('trades the token once for an HttpOnly SameSite=Strict cookie and redirects to a clean URL', async () => {
    const s = await start();
    const first = await request(s.port, `/?token=${s.access.token}`);
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe('/');
    expect(first.headers['set-cookie']?.[0]).toMatch(/^airlock_session=[A-Za-z0-9_-]+; HttpOnly; SameSite=Strict; Path=\/$/);
    const cookie = first.headers['set-cookie']![0]!.split(';')[0]!;
    const page = await request(s.port, '/', { cookie });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>Airlock</title>');
  });

  it('refuses a wrong token', async () => {
    const s = await start();
    const res = await request(s.port, '/?token=wrong');
    expect(res.status).toBe(403);
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('refuses the token the second time, from a browser without the session', async () => {
    const s = await start();
    await signIn(s);
    const again = await request(s.port, `/?token=${s.access.token}`);
    expect(again.status).toBe(403);
    expect(again.body).toMatch(/already used/);
  });

  it('refuses everything without a session', async () => {
    const s = await start();
    expect((await request(s.port, '/')).status).toBe(401);
    expect((await request(s.port, '/assets/app.js')).status).toBe(401);
  });

  it('refuses a foreign Host header even with a valid session (DNS rebinding)', async () => {
    const s = await start();
    const cookie = await signIn(s);
    const res = await request(s.port, '/', { cookie, host: `attacker.example:${s.port}` });
    expect(res.status).toBe(403);
    expect(res.body).not.toContain('<title>Airlock</title>');
    const token = await request(s.port, `/?token=${s.access.token}`, { host: `attacker.example:${s.port}` });
    expect(token.status).toBe(403);
  });

  it('sends a strict CSP and security headers, and serves only GET and HEAD', async () => {
    const s = await start();
    const cookie = await signIn(s);
    const res = await request(s.port, '/', { cookie });
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).toContain(`connect-src ws://127.0.0.1:${s.port}`);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect((await request(s.port, '/', { cookie }, 'POST')).status).toBe(405);
    expect((await request(s.port, '/', { cookie }, 'HEAD')).status).toBe(200);
  });

  it('serves renderer files only, never anything above the renderer folder', async () => {
    const s = await start();
    const cookie = await signIn(s);
    const js = await request(s.port, '/assets/app.js', { cookie });
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toMatch(/^text\/javascript/);
    for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/missing.js', '/assets']) {
      expect((await request(s.port, p, { cookie })).status, p).toBe(404);
    }
  });

  it('opens the IPC WebSocket only with the session and this Origin', async () => {
    const s = await start();
    const cookie = await signIn(s);
    const origin = `http://127.0.0.1:${s.port}`;
    await expect(openSocket(s.port, { origin })).rejects.toThrow('HTTP 403');
    await expect(openSocket(s.port, { cookie, origin: 'https://evil.example' })).rejects.toThrow('HTTP 403');
    await expect(openSocket(s.port, { cookie })).rejects.toThrow('HTTP 403');
    await expect(openSocket(s.port, { cookie, origin: `http://attacker.example:${s.port}`, host: `attacker.example:${s.port}` })).rejects.toThrow('HTTP 403');
    const ws = await openSocket(s.port, { cookie, origin });
    ws.close();
  });

  it('carries the contract over the socket: results by id, events, page-only channels, cancel on close', async () => {
    const s = await start();
    const cookie = await signIn(s);
    const ws = await openSocket(s.port, { cookie, origin: `http://127.0.0.1:${s.port}` });
    const frames: Array<Record<string, unknown>> = [];
    const next = (n: number): Promise<void> =>
      new Promise((resolve) => {
        const check = (): void => {
          if (frames.length >= n) resolve();
          else setTimeout(check, 5);
        };
        check();
      });
    ws.on('message', (data) => frames.push(JSON.parse(String(data)) as Record<string, unknown>));
    ws.send(JSON.stringify({ type: 'invoke', id: 1, channel: 'operation.cancel', request: { operationId: 'op_12345678' } }));
    ws.send(JSON.stringify({ type: 'invoke', id: 2, channel: 'kits.dropped', request: { paths: ['/etc/passwd'] } }));
    ws.send(JSON.stringify({ type: 'invoke', id: 3, channel: 'kit.verify', request: { kit: `kit_${'f'.repeat(32)}`, operationId: 'op_12345678' } }));
    await next(3);
    expect(frames).toContainEqual({ type: 'result', id: 1, result: { ok: true, value: { cancelled: true } } });
    expect(frames).toContainEqual(expect.objectContaining({ type: 'result', id: 2, result: expect.objectContaining({ ok: false, error: expect.objectContaining({ code: 'IPC_INVALID' }) }) }));
    expect(frames).toContainEqual({ type: 'event', event: 'operation.progress', payload: { operationId: 'op_12345678', progress: PROGRESS } });
    expect(connectionSignal?.aborted).toBe(false);
    ws.close();
    await new Promise((r) => ws.once('close', r));
    await new Promise((r) => setTimeout(r, 20));
    expect(connectionSignal?.aborted).toBe(true);
  });

  it('closes the socket on a malformed frame', async () => {
    const s = await start();
    const cookie = await signIn(s);
    const ws = await openSocket(s.port, { cookie, origin: `http://127.0.0.1:${s.port}` });
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    ws.send('{not json');
    expect(await closed).toBe(1003);
  });

  it('serves a download main handed out to the signed-in browser only, as an attachment, and nothing else under /downloads/', async () => {
    const report = path.join(dir, 'report.pdf');
    await fs.writeFile(report, '%PDF-1.7 test');
    const handed = '/downloads/evidence/ev_0123/report.pdf';
    server = await startConsoleServer({
      dispatcher: new ContractDispatcher(handlers),
      rendererDir: path.join(dir, 'renderer'),
      resolveDownload: (p) => (p === handed ? { file: report, fileName: 'evidence "7" report.pdf', contentType: 'application/pdf' } : null),
    });
    expect((await request(server.port, handed)).status).toBe(401);
    const cookie = await signIn(server);
    const res = await request(server.port, handed, { cookie });
    expect(res.status).toBe(200);
    expect(res.body).toBe('%PDF-1.7 test');
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toBe('attachment; filename="evidence__7__report.pdf"');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    for (const p of ['/downloads/evidence/ev_0123/manifest.json', '/downloads/../secret.txt', '/downloads/evidence/other/report.pdf']) {
      expect((await request(server.port, p, { cookie })).status, p).toBe(404);
    }
    await fs.rm(report);
    expect((await request(server.port, handed, { cookie })).status).toBe(404);
  });
});
