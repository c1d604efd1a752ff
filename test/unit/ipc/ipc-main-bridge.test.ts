import { EventEmitter } from 'node:events';
import type { IpcMainInvokeEvent, WebContents } from 'electron';
import { describe, expect, it } from 'vitest';
import { electronChannelName, electronEventName, IPC_CHANNELS } from '../../../shared/ipc-contract.ts';
import { ContractDispatcher, type IpcHandlers } from '../../../electron/ipc/contract-dispatcher.ts';
import { registerIpcHandlers, trustedSenderCheck, type IpcMainLike } from '../../../electron/ipc/ipc-main-bridge.ts';

type Listener = (event: IpcMainInvokeEvent, ...args: unknown[]) => Promise<unknown>;

function fakeIpcMain(): IpcMainLike & { handlers: Map<string, Listener> } {
  const handlers = new Map<string, Listener>();
  return {
    handlers,
    handle: (channel, listener) => handlers.set(channel, listener),
    removeHandler: (channel) => handlers.delete(channel),
  };
}

class FakeContents extends EventEmitter {
  sent: Array<[string, unknown]> = [];
  destroyed = false;
  mainFrame = { url: 'app://airlock/index.html' };
  send(channel: string, payload: unknown): void {
    this.sent.push([channel, payload]);
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
}

function eventFrom(contents: FakeContents, frame: { url: string } = contents.mainFrame): IpcMainInvokeEvent {
  return { sender: contents as unknown as WebContents, senderFrame: frame } as unknown as IpcMainInvokeEvent;
}

const PROGRESS = { phase: 'verify', bytesDone: 0, bytesTotal: null, itemsDone: 0, itemsTotal: null, rate: 0, eta: null };

function dispatcher(seen: { signal?: AbortSignal }): ContractDispatcher {
  const handlers = {
    'operation.cancel': () => ({ cancelled: false }),
    'kit.verify': (_req: unknown, ctx: { emit: (e: 'operation.progress', p: unknown) => void; signal: AbortSignal }) => {
      seen.signal = ctx.signal;
      ctx.emit('operation.progress', { operationId: 'op_12345678', progress: PROGRESS });
      return new Promise(() => {});
    },
  } as unknown as IpcHandlers;
  return new ContractDispatcher(handlers);
}

describe('registerIpcHandlers', () => {
  it('registers one handler for every contract channel and removes them all again', () => {
    const ipc = fakeIpcMain();
    const unregister = registerIpcHandlers(ipc, dispatcher({}), { isTrustedSender: () => true });
    expect([...ipc.handlers.keys()].sort()).toEqual(IPC_CHANNELS.map(electronChannelName).sort());
    unregister();
    expect(ipc.handlers.size).toBe(0);
  });

  it('refuses requests from any other sender before parsing them', async () => {
    const ipc = fakeIpcMain();
    const refused: string[] = [];
    registerIpcHandlers(ipc, dispatcher({}), { isTrustedSender: () => false, onRefused: (channel) => refused.push(channel) });
    const contents = new FakeContents();
    const result = await ipc.handlers.get(electronChannelName('operation.cancel'))!(eventFrom(contents), { operationId: 'op_12345678' });
    expect(result).toMatchObject({ ok: false, error: { code: 'IPC_INVALID' } });
    expect(refused).toEqual(['operation.cancel']);
  });

  it('dispatches trusted requests, sends events to that window and cancels its work when it is destroyed', async () => {
    const ipc = fakeIpcMain();
    const seen: { signal?: AbortSignal } = {};
    registerIpcHandlers(ipc, dispatcher(seen), { isTrustedSender: () => true });
    const contents = new FakeContents();
    expect(await ipc.handlers.get(electronChannelName('operation.cancel'))!(eventFrom(contents), { operationId: 'op_12345678' })).toEqual({ ok: true, value: { cancelled: false } });
    void ipc.handlers.get(electronChannelName('kit.verify'))!(eventFrom(contents), { kit: `kit_${'1'.repeat(32)}`, operationId: 'op_12345678' });
    await new Promise((r) => setImmediate(r));
    expect(contents.sent).toEqual([[electronEventName('operation.progress'), { operationId: 'op_12345678', progress: PROGRESS }]]);
    expect(seen.signal?.aborted).toBe(false);
    contents.destroyed = true;
    contents.emit('destroyed');
    expect(seen.signal?.aborted).toBe(true);
  });
});

describe('trustedSenderCheck', () => {
  const contents = new FakeContents();
  const win = { webContents: contents as unknown as WebContents };
  const check = trustedSenderCheck(() => win, 'app://airlock');

  it("accepts the window's own main frame at Airlock's origin", () => {
    expect(check(eventFrom(contents))).toBe(true);
  });

  it('refuses a sub-frame, another window, another origin and a gone frame', () => {
    expect(check(eventFrom(contents, { url: 'app://airlock/index.html' }))).toBe(false);
    expect(check(eventFrom(new FakeContents()))).toBe(false);
    const elsewhere = new FakeContents();
    for (const url of ['https://evil.example/', 'app://airlock.evil/index.html', 'file:///index.html', 'app://x@airlock/index.html']) {
      elsewhere.mainFrame = { url };
      expect(trustedSenderCheck(() => ({ webContents: elsewhere as unknown as WebContents }), 'app://airlock')(eventFrom(elsewhere)), url).toBe(false);
    }
    expect(check({ sender: contents, senderFrame: null } as unknown as IpcMainInvokeEvent)).toBe(false);
    expect(trustedSenderCheck(() => null, 'app://airlock')(eventFrom(contents))).toBe(false);
  });
});
