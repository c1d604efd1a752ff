// window.airlock for console mode: the same bridge surface as the preload's,
// carried over the console server's WebSocket (shared/ipc-websocket-protocol.ts).
// The session cookie set at sign-in authenticates the socket; nothing here
// holds a secret.
import { ERROR_CATALOG } from '../../shared/error-catalog.ts';
import type { AirlockBridge, IpcEventName, IpcResult } from '../../shared/ipc-contract.ts';
import { CONSOLE_WEBSOCKET_PATH, type ClientFrame, type ServerFrame } from '../../shared/ipc-websocket-protocol.ts';

export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(): void;
  addEventListener(type: 'open' | 'close' | 'error', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
}

export interface WebSocketBridge extends AirlockBridge {
  /** Resolves once the socket is open; rejects if it closes first. */
  ready: Promise<void>;
  /** Called once when the connection is lost (server stopped, network gone). */
  onClosed(listener: () => void): void;
}

const OPEN = 1;

function lostResult(): IpcResult<unknown> {
  return {
    ok: false,
    error: {
      code: 'IO_ERROR',
      message: 'the connection to "airlock serve" is closed',
      remedy: 'Check that "airlock serve" is still running (and the SSH tunnel, if you use one), then reload the page; a running verify or import was cancelled.',
    },
  };
}

export function consoleSocketUrl(location: { protocol: string; host: string }): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${CONSOLE_WEBSOCKET_PATH}`;
}

export function createWebSocketBridge(socket: WebSocketLike): WebSocketBridge {
  let nextId = 1;
  let closed = false;
  const pending = new Map<number, (result: IpcResult<unknown>) => void>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const closedListeners: Array<() => void> = [];
  const ready = new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve());
    socket.addEventListener('close', () => reject(new Error('closed before it opened')));
  });
  ready.catch(() => undefined);

  socket.addEventListener('message', (event) => {
    let frame: ServerFrame;
    try {
      frame = JSON.parse(String(event.data)) as ServerFrame;
    } catch {
      return;
    }
    if (frame.type === 'result') {
      const resolve = pending.get(frame.id);
      pending.delete(frame.id);
      resolve?.(frame.result as IpcResult<unknown>);
    } else if (frame.type === 'event') {
      for (const listener of listeners.get(frame.event) ?? []) listener(frame.payload);
    }
  });
  socket.addEventListener('close', () => {
    if (closed) return;
    closed = true;
    for (const resolve of pending.values()) resolve(lostResult());
    pending.clear();
    for (const listener of closedListeners) listener();
  });

  return {
    mode: 'console',
    ready,
    onClosed(listener) {
      closedListeners.push(listener);
    },
    async invoke(channel, request) {
      await ready.catch(() => undefined);
      if (closed || socket.readyState !== OPEN) return lostResult();
      const id = nextId++;
      const frame: ClientFrame = { type: 'invoke', id, channel, request };
      return new Promise<IpcResult<unknown>>((resolve) => {
        pending.set(id, resolve);
        try {
          socket.send(JSON.stringify(frame));
        } catch (error) {
          pending.delete(id);
          resolve({ ok: false, error: { code: 'INTERNAL', message: (error as Error).message, remedy: ERROR_CATALOG.INTERNAL.remedy } });
        }
      });
    },
    on(event: IpcEventName, listener) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener);
      return () => set.delete(listener);
    },
  };
}
