import { describe, expect, it } from 'vitest';
import { consoleSocketUrl, createWebSocketBridge, type WebSocketLike } from '../../../renderer/api/websocket-bridge.ts';

class FakeSocket implements WebSocketLike {
  readyState = 0;
  sent: string[] = [];
  private listeners = new Map<string, Array<(e: { data: unknown }) => void>>();
  send(data: string): void {
    this.sent.push(data);
  }
  close(): void {
    this.fire('close');
  }
  addEventListener(type: string, listener: (e: { data: unknown }) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  fire(type: string, e: { data: unknown } = { data: undefined }): void {
    if (type === 'open') this.readyState = 1;
    if (type === 'close') this.readyState = 3;
    for (const l of this.listeners.get(type) ?? []) l(e);
  }
  frames(): Array<Record<string, unknown>> {
    return this.sent.map((s) => JSON.parse(s) as Record<string, unknown>);
  }
}

describe('console-mode WebSocket bridge', () => {
  it('builds the socket URL from the page location', () => {
    expect(consoleSocketUrl({ protocol: 'http:', host: '127.0.0.1:4242' })).toBe('ws://127.0.0.1:4242/ipc');
  });

  it('sends invoke frames once open and resolves each by its id', async () => {
    const socket = new FakeSocket();
    const bridge = createWebSocketBridge(socket);
    const a = bridge.invoke('registry.list', {});
    const b = bridge.invoke('app.info', {});
    socket.fire('open');
    await new Promise((r) => setTimeout(r, 0));
    expect(socket.frames()).toEqual([
      { type: 'invoke', id: 1, channel: 'registry.list', request: {} },
      { type: 'invoke', id: 2, channel: 'app.info', request: {} },
    ]);
    socket.fire('message', { data: JSON.stringify({ type: 'result', id: 2, result: { ok: true, value: 'info' } }) });
    socket.fire('message', { data: JSON.stringify({ type: 'result', id: 1, result: { ok: true, value: 'list' } }) });
    expect(await a).toEqual({ ok: true, value: 'list' });
    expect(await b).toEqual({ ok: true, value: 'info' });
  });

  it('delivers events to subscribers until they unsubscribe, and ignores junk', () => {
    const socket = new FakeSocket();
    const bridge = createWebSocketBridge(socket);
    const got: unknown[] = [];
    const off = bridge.on('operation.progress', (p) => got.push(p));
    socket.fire('message', { data: JSON.stringify({ type: 'event', event: 'operation.progress', payload: 1 }) });
    socket.fire('message', { data: 'not json' });
    off();
    socket.fire('message', { data: JSON.stringify({ type: 'event', event: 'operation.progress', payload: 2 }) });
    expect(got).toEqual([1]);
  });

  it('answers pending and later calls with a clear error once the connection is lost', async () => {
    const socket = new FakeSocket();
    const bridge = createWebSocketBridge(socket);
    let lost = 0;
    bridge.onClosed(() => lost++);
    socket.fire('open');
    const pending = bridge.invoke('registry.list', {});
    await new Promise((r) => setTimeout(r, 0));
    socket.fire('close');
    expect(await pending).toMatchObject({ ok: false, error: { code: 'IO_ERROR', message: expect.stringContaining('airlock serve') } });
    expect(await bridge.invoke('app.info', {})).toMatchObject({ ok: false, error: { code: 'IO_ERROR' } });
    expect(lost).toBe(1);
  });
});
