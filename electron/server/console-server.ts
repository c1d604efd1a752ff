// Console mode: the same renderer and the same IPC contract as the desktop
// app, served over HTTP and one WebSocket on 127.0.0.1, for headless servers
// (reached through an SSH tunnel) and for the end-to-end tests. Access rules
// are in console-access.ts; this file applies them to every request.
// Besides the renderer it serves, to a signed-in browser only, files this
// session produced for download (an exported evidence bundle's report.pdf),
// by the opaque URL main handed out; never a path the page names.
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import http from 'node:http';
import type { Duplex } from 'node:stream';
import path from 'node:path';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { AirlockError } from '../../shared/airlock-error.ts';
import { isInvokableChannel, type IpcEventName } from '../../shared/ipc-contract.ts';
import { CONSOLE_MAX_FRAME_BYTES, CONSOLE_WEBSOCKET_PATH, clientFrameSchema, type ServerFrame } from '../../shared/ipc-websocket-protocol.ts';
import type { ContractDispatcher } from '../ipc/contract-dispatcher.ts';
import { consoleContentSecurityPolicy, RENDERER_SECURITY_HEADERS } from '../services/content-security-policy.ts';
import { resolveRendererFile } from '../services/renderer-files.ts';
import { ConsoleAccess } from './console-access.ts';

export const CONSOLE_HOST = '127.0.0.1';

export interface ConsoleServerOptions {
  dispatcher: ContractDispatcher;
  /** The built renderer (dist/renderer). */
  rendererDir: string;
  /** 0 (the default) lets the OS pick a free port. */
  port?: number;
  access?: ConsoleAccess;
  log?: (line: string) => void;
  /** The file behind a /downloads/… URL path this session handed out, or null. */
  resolveDownload?: (urlPath: string) => { file: string; fileName: string; contentType: string } | null;
}

/** URL paths below this are downloads, never renderer files. */
export const DOWNLOADS_PREFIX = '/downloads/';

export interface ConsoleServer {
  /** http://127.0.0.1:PORT/?token=… — valid for one sign-in. */
  url: string;
  port: number;
  access: ConsoleAccess;
  close(): Promise<void>;
}

const REFUSALS = {
  host: 'This server answers only to 127.0.0.1:PORT or localhost:PORT.',
  token: 'This sign-in link is wrong or was already used. Stop "airlock serve" and start it again for a new link.',
  session: 'Open the link that "airlock serve" printed; it holds a one-time sign-in token.',
  method: 'Only GET and HEAD are served.',
  missing: 'Not found.',
} as const;

function refuse(res: http.ServerResponse, status: number, text: string, csp?: string): void {
  const headers: Record<string, string> = { ...RENDERER_SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' };
  if (csp) headers['Content-Security-Policy'] = csp;
  res.writeHead(status, headers);
  res.end(`${text}\n`);
}

function rejectUpgrade(socket: Duplex, status: 403 | 404 | 400): void {
  const reason = status === 403 ? 'Forbidden' : status === 404 ? 'Not Found' : 'Bad Request';
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

export async function startConsoleServer(options: ConsoleServerOptions): Promise<ConsoleServer> {
  const rendererDir = path.resolve(options.rendererDir);
  const indexFile = path.join(rendererDir, 'index.html');
  try {
    await fs.access(indexFile);
  } catch (error) {
    throw new AirlockError('IO_ERROR', `the renderer is not built (${indexFile} is missing); run "npm run build:renderer" first`, { path: indexFile, cause: error });
  }
  const access = options.access ?? new ConsoleAccess();
  const log = options.log ?? (() => {});
  const sockets = new Set<WebSocket>();

  const server = http.createServer((req, res) => {
    void (async () => {
      const host = access.checkHost(req.headers.host);
      if (host === null) return refuse(res, 403, REFUSALS.host);
      const csp = consoleContentSecurityPolicy(host);
      if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, REFUSALS.method, csp);
      const url = new URL(req.url ?? '/', `http://${host}`);
      const token = url.searchParams.get('token');
      if (token !== null && access.hasSession(req.headers.cookie)) {
        // Reopening the printed link in the signed-in browser just shows the app.
        res.writeHead(303, { ...RENDERER_SECURITY_HEADERS, 'Content-Security-Policy': csp, Location: '/' });
        res.end();
        return;
      }
      if (token !== null) {
        const session = access.exchange(token);
        if (session === null) {
          log(`refused a sign-in with a ${access.tokenUsed ? 'used or wrong' : 'wrong'} token`);
          return refuse(res, 403, REFUSALS.token, csp);
        }
        log('signed in; the sign-in link is now used up');
        res.writeHead(303, { ...RENDERER_SECURITY_HEADERS, 'Content-Security-Policy': csp, 'Set-Cookie': access.sessionCookie(session), Location: '/' });
        res.end();
        return;
      }
      if (!access.hasSession(req.headers.cookie)) return refuse(res, 401, REFUSALS.session, csp);
      if (url.pathname.startsWith(DOWNLOADS_PREFIX)) return serveDownload(req, res, url.pathname, csp);
      const found = await resolveRendererFile(rendererDir, url.pathname);
      if (!found) return refuse(res, 404, REFUSALS.missing, csp);
      res.writeHead(200, { ...RENDERER_SECURITY_HEADERS, 'Content-Security-Policy': csp, 'Content-Type': found.contentType });
      if (req.method === 'HEAD') {
        res.end();
        return;
      }
      createReadStream(found.file).on('error', () => res.destroy()).pipe(res);
    })().catch((error: unknown) => {
      log(`request failed: ${(error as Error).message}`);
      if (!res.headersSent) refuse(res, 500, 'Internal error.');
      else res.destroy();
    });
  });

  async function serveDownload(req: http.IncomingMessage, res: http.ServerResponse, pathname: string, csp: string): Promise<void> {
    const found = options.resolveDownload?.(pathname) ?? null;
    let size: number;
    try {
      if (!found) throw new Error('not handed out');
      const st = await fs.stat(found.file);
      if (!st.isFile()) throw new Error('not a file');
      size = st.size;
    } catch {
      return refuse(res, 404, REFUSALS.missing, csp);
    }
    res.writeHead(200, {
      ...RENDERER_SECURITY_HEADERS,
      'Content-Security-Policy': csp,
      'Content-Type': found.contentType,
      'Content-Length': String(size),
      'Content-Disposition': `attachment; filename="${found.fileName.replace(/[^A-Za-z0-9._-]/g, '_')}"`,
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(found.file).on('error', () => res.destroy()).pipe(res);
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: CONSOLE_MAX_FRAME_BYTES });
  server.on('upgrade', (req, socket, head) => {
    const pathname = new URL(req.url ?? '/', 'http://x').pathname;
    if (pathname !== CONSOLE_WEBSOCKET_PATH) return rejectUpgrade(socket, 404);
    if (!access.checkOrigin(req.headers.origin, req.headers.host) || !access.hasSession(req.headers.cookie)) {
      log('refused a WebSocket with a wrong Host, Origin or session');
      return rejectUpgrade(socket, 403);
    }
    wss.handleUpgrade(req, socket, head, (ws) => serveSocket(ws));
  });

  function serveSocket(ws: WebSocket): void {
    sockets.add(ws);
    const gone = new AbortController();
    const send = (frame: ServerFrame): void => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
    };
    const client = { signal: gone.signal, send: (event: IpcEventName, payload: unknown) => send({ type: 'event', event, payload }) };
    ws.on('message', (data: RawData, isBinary: boolean) => {
      let frame;
      try {
        if (isBinary) throw new Error('binary frame');
        frame = clientFrameSchema.parse(JSON.parse(data.toString()));
      } catch {
        ws.close(1003, 'malformed frame');
        return;
      }
      const { id, channel, request } = frame;
      if (!isInvokableChannel(channel)) {
        const error = new AirlockError('IPC_INVALID', `${String(channel).slice(0, 80)} cannot be called from the page`, { field: 'channel' }).toPayload();
        send({ type: 'result', id, result: { ok: false, error } });
        return;
      }
      void options.dispatcher.dispatch(channel, request, client).then((result) => send({ type: 'result', id, result }));
    });
    ws.on('close', () => {
      sockets.delete(ws);
      // A closed page cancels what it started: nothing keeps running unseen.
      gone.abort();
    });
    ws.on('error', () => ws.terminate());
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const port = options.port ?? 0;
      reject(new AirlockError('IO_ERROR', `cannot listen on ${CONSOLE_HOST}:${port}: ${error.code === 'EADDRINUSE' ? 'the port is in use' : error.message}`, { field: '--port', cause: error }));
    });
    server.listen(options.port ?? 0, CONSOLE_HOST, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  access.setPort(port);

  return {
    url: `http://${CONSOLE_HOST}:${port}/?token=${access.token}`,
    port,
    access,
    async close() {
      for (const ws of sockets) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
