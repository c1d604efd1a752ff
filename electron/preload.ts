// The preload: window.airlock for the desktop app, derived from the contract.
// It runs sandboxed and isolated, so the page gets only these functions —
// never ipcRenderer, never the IPC event objects. Channels marked preloadOnly
// (kits.dropped) cannot be invoked by page script: the page hands dropped
// File objects to dropFiles(), and the path is read here with
// webUtils.getPathForFile, so page script never names a path itself.
// Bundled into one CommonJS file for the sandbox (build/vite.preload.config.ts).
import '../shared/zod-jitless.ts';
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { AirlockError } from '../shared/airlock-error.ts';
import {
  electronChannelName,
  electronEventName,
  isInvokableChannel,
  isIpcEventName,
  type AirlockBridge,
  type IpcResult,
} from '../shared/ipc-contract.ts';

export interface PreloadDeps {
  invoke(channel: string, request: unknown): Promise<unknown>;
  on(channel: string, listener: (event: unknown, payload: unknown) => void): void;
  removeListener(channel: string, listener: (event: unknown, payload: unknown) => void): void;
  getPathForFile(file: File): string;
}

function refused(message: string): IpcResult<unknown> {
  return { ok: false, error: new AirlockError('IPC_INVALID', message).toPayload() };
}

export function createPreloadBridge(deps: PreloadDeps): AirlockBridge {
  return {
    mode: 'electron',
    async invoke(channel, request) {
      if (!isInvokableChannel(channel)) return refused(`${String(channel).slice(0, 80)} cannot be called from the page`);
      return (await deps.invoke(electronChannelName(channel), request)) as IpcResult<unknown>;
    },
    on(event, listener) {
      if (!isIpcEventName(event)) throw new Error(`unknown event ${String(event)}`);
      // The IPC event object stays here: it would hand the page a way to reply to the main process.
      const wrapped = (_event: unknown, payload: unknown): void => listener(payload);
      deps.on(electronEventName(event), wrapped);
      return () => deps.removeListener(electronEventName(event), wrapped);
    },
    async dropFiles(files) {
      const paths: string[] = [];
      const rejected: Array<{ name: string; reason: string }> = [];
      for (const file of Array.from(files).slice(0, 16)) {
        const p = deps.getPathForFile(file);
        if (p) paths.push(p);
        else rejected.push({ name: file.name, reason: 'not a file on this computer' });
      }
      if (paths.length === 0) return { ok: true, value: { kits: [], rejected } };
      const result = (await deps.invoke(electronChannelName('kits.dropped'), { paths })) as IpcResult<{ kits: unknown[]; rejected: typeof rejected }>;
      return result.ok ? { ok: true, value: { ...result.value, rejected: [...rejected, ...result.value.rejected] } } : result;
    },
  };
}

contextBridge.exposeInMainWorld(
  'airlock',
  createPreloadBridge({
    invoke: (channel, request) => ipcRenderer.invoke(channel, request),
    on: (channel, listener) => ipcRenderer.on(channel, listener),
    removeListener: (channel, listener) => ipcRenderer.removeListener(channel, listener),
    getPathForFile: (file) => webUtils.getPathForFile(file),
  }),
);
