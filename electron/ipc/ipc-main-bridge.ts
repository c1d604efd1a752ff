// The only place that touches ipcMain (DESIGN §2 rule 2). Every contract
// channel gets one handler that first checks who is asking — the main frame of
// Airlock's own window, showing Airlock's own origin — and then hands the raw
// payload to the dispatcher, which parses it with the channel's schema.
// Events go back to the webContents that made the request; when it is
// destroyed, the operations it started are cancelled.
import type { IpcMainInvokeEvent, WebContents } from 'electron';
import { AirlockError } from '../../shared/airlock-error.ts';
import { electronChannelName, electronEventName, IPC_CHANNELS, type IpcResult } from '../../shared/ipc-contract.ts';
import type { ContractDispatcher } from './contract-dispatcher.ts';

export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcMainInvokeEvent, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

export interface IpcBridgeOptions {
  /** True only for the main frame of Airlock's window at Airlock's origin. */
  isTrustedSender(event: IpcMainInvokeEvent): boolean;
  /** Refused senders, for the log. */
  onRefused?(channel: string, url: string | undefined): void;
}

/** The sender check used by the desktop app: the window's own main frame, showing a page of `origin`. */
export function trustedSenderCheck(window: () => { webContents: WebContents } | null, origin: string): (event: IpcMainInvokeEvent) => boolean {
  // Compared by scheme and host: Node's URL reports origin "null" for a custom scheme such as app://.
  const expected = new URL(`${origin}/`);
  return (event) => {
    const win = window();
    const frame = event.senderFrame;
    if (!win || !frame || event.sender !== win.webContents || frame !== win.webContents.mainFrame) return false;
    try {
      const url = new URL(frame.url);
      return url.protocol === expected.protocol && url.host === expected.host && url.username === '' && url.password === '';
    } catch {
      return false;
    }
  };
}

/** Registers a handler for every channel of the contract; returns a function that removes them. */
export function registerIpcHandlers(ipcMain: IpcMainLike, dispatcher: ContractDispatcher, options: IpcBridgeOptions): () => void {
  const connections = new Map<WebContents, AbortController>();
  const connectionFor = (sender: WebContents): AbortController => {
    let controller = connections.get(sender);
    if (!controller) {
      const created = new AbortController();
      controller = created;
      connections.set(sender, created);
      sender.once('destroyed', () => {
        created.abort();
        connections.delete(sender);
      });
    }
    return controller;
  };

  for (const channel of IPC_CHANNELS) {
    ipcMain.handle(electronChannelName(channel), async (event, request): Promise<IpcResult<unknown>> => {
      if (!options.isTrustedSender(event)) {
        options.onRefused?.(channel, event.senderFrame?.url);
        return { ok: false, error: new AirlockError('IPC_INVALID', `${channel} refused: the request did not come from Airlock's own window`).toPayload() };
      }
      const connection = connectionFor(event.sender);
      return dispatcher.dispatch(channel, request, {
        signal: connection.signal,
        send: (name, payload) => {
          if (!event.sender.isDestroyed()) event.sender.send(electronEventName(name), payload);
        },
      });
    });
  }
  return () => {
    for (const channel of IPC_CHANNELS) ipcMain.removeHandler(electronChannelName(channel));
  };
}
