// Loads electron/main.ts against a stand-in 'electron' module (the binary is
// not installed here) and checks the wiring: the window's security options,
// hardening of every webContents, the CSP, the single-instance lock, and that
// every contract channel is registered on ipcMain behind the sender check.
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { electronChannelName, IPC_CHANNELS } from '../../../shared/ipc-contract.ts';

const fake = vi.hoisted(() => {
  const state = {
    lock: true,
    windows: [] as Array<{ options: Record<string, unknown>; url?: string; webContents: unknown }>,
    ipcHandlers: new Map<string, (event: unknown, request: unknown) => Promise<unknown>>(),
    appHandlers: new Map<string, (...args: unknown[]) => void>(),
    privileged: [] as unknown[],
    protocolHandlers: new Map<string, (request: Request) => Promise<Response>>(),
    headersHook: undefined as undefined | ((details: { responseHeaders?: Record<string, string[]> }, cb: (r: unknown) => void) => void),
    permissionRequest: undefined as undefined | ((wc: unknown, permission: string, cb: (ok: boolean) => void) => void),
    permissionCheck: undefined as undefined | (() => boolean),
    calls: [] as string[],
  };
  return state;
});

vi.mock('electron', async () => {
  const { EventEmitter: Emitter } = await import('node:events');
  class FakeWebContents extends Emitter {
    mainFrame = { url: 'app://airlock/index.html' };
    send(): void {}
    isDestroyed(): boolean {
      return false;
    }
  }
  class BrowserWindow extends Emitter {
    webContents = new FakeWebContents();
    constructor(options: Record<string, unknown>) {
      super();
      fake.windows.push({ options, webContents: this.webContents });
    }
    async loadURL(url: string): Promise<void> {
      fake.windows.at(-1)!.url = url;
    }
    isMinimized(): boolean {
      return false;
    }
    restore(): void {}
    focus(): void {}
    show(): void {}
  }
  const app = {
    requestSingleInstanceLock: () => fake.lock,
    quit: () => fake.calls.push('quit'),
    exit: (code: number) => fake.calls.push(`exit ${code}`),
    enableSandbox: () => fake.calls.push('enableSandbox'),
    on: (name: string, handler: (...args: unknown[]) => void) => fake.appHandlers.set(name, handler),
    whenReady: async () => {},
    getVersion: () => '45.4.1',
  };
  return {
    app,
    BrowserWindow,
    ipcMain: {
      handle: (channel: string, handler: (event: unknown, request: unknown) => Promise<unknown>) => fake.ipcHandlers.set(channel, handler),
      removeHandler: (channel: string) => fake.ipcHandlers.delete(channel),
    },
    protocol: {
      registerSchemesAsPrivileged: (schemes: unknown[]) => fake.privileged.push(...schemes),
      handle: (scheme: string, handler: (request: Request) => Promise<Response>) => fake.protocolHandlers.set(scheme, handler),
    },
    session: {
      defaultSession: {
        webRequest: { onHeadersReceived: (hook: typeof fake.headersHook) => (fake.headersHook = hook) },
        setPermissionRequestHandler: (h: typeof fake.permissionRequest) => (fake.permissionRequest = h),
        setPermissionCheckHandler: (h: typeof fake.permissionCheck) => (fake.permissionCheck = h),
      },
    },
    dialog: { showOpenDialog: async () => ({ canceled: true, filePaths: [] }), showErrorBox: () => fake.calls.push('showErrorBox') },
    shell: { openPath: async () => '' },
    default: {},
  };
});

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-main-'));
process.env.AIRLOCK_DATA_DIR = dataDir;

async function loadMain(): Promise<typeof import('../../../electron/main.ts')> {
  const main = await import('../../../electron/main.ts');
  await main.started;
  return main;
}

beforeEach(() => {
  vi.resetModules();
  fake.lock = true;
  fake.windows.length = 0;
  fake.ipcHandlers.clear();
  fake.appHandlers.clear();
  fake.privileged.length = 0;
  fake.protocolHandlers.clear();
  fake.calls.length = 0;
});

afterAll(() => {
  fake.appHandlers.get('window-all-closed')?.();
  delete process.env.AIRLOCK_DATA_DIR;
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('electron/main.ts wiring', () => {
  it('opens one window with context isolation, the sandbox, no Node and web security', async () => {
    await loadMain();
    expect(fake.windows).toHaveLength(1);
    const prefs = fake.windows[0]!.options.webPreferences as Record<string, unknown>;
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
    expect(String(prefs.preload)).toMatch(/dist[\\/]electron[\\/]preload\.cjs$/);
    expect(fake.windows[0]!.url).toBe('app://airlock/index.html');
    expect(fake.calls).toContain('enableSandbox');
  });

  it('registers every contract channel on ipcMain', async () => {
    await loadMain();
    expect([...fake.ipcHandlers.keys()].sort()).toEqual(IPC_CHANNELS.map(electronChannelName).sort());
  });

  it("answers the window's own main frame and refuses any other sender", async () => {
    await loadMain();
    const handler = fake.ipcHandlers.get(electronChannelName('app.info'))!;
    const contents = fake.windows[0]!.webContents as EventEmitter & { mainFrame: unknown };
    const ok = await handler({ sender: contents, senderFrame: contents.mainFrame }, {});
    expect(ok).toMatchObject({ ok: true, value: { name: 'Airlock', mode: 'electron', dataDir, capabilities: { nativeDialog: true } } });
    const stranger = Object.assign(new EventEmitter(), { mainFrame: { url: 'https://evil.example/' } });
    const refused = await handler({ sender: stranger, senderFrame: stranger.mainFrame }, {});
    expect(refused).toMatchObject({ ok: false, error: { code: 'IPC_INVALID' } });
  });

  it('registers app:// as a secure standard scheme and serves only renderer files, with the CSP', async () => {
    await loadMain();
    expect(fake.privileged).toEqual([{ scheme: 'app', privileges: { standard: true, secure: true } }]);
    const serve = fake.protocolHandlers.get('app')!;
    for (const url of ['app://airlock/..%2f..%2fpackage.json', 'app://elsewhere/index.html', 'app://airlock/missing.js']) {
      const res = await serve(new Request(url));
      expect(res.status, url).toBe(404);
      expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    }
    let headers: Record<string, string[]> = {};
    fake.headersHook!({ responseHeaders: { 'X-Other': ['1'] } }, (r) => (headers = (r as { responseHeaders: Record<string, string[]> }).responseHeaders));
    expect(headers['Content-Security-Policy']![0]).toMatch(/script-src 'self'.*connect-src 'none'/);
    expect(headers['X-Other']).toEqual(['1']);
  });

  it('denies navigation, redirects, webviews, new windows and permission requests', async () => {
    await loadMain();
    const contents = Object.assign(new EventEmitter(), { openHandler: undefined as undefined | (() => unknown), setWindowOpenHandler(h: () => unknown) { this.openHandler = h; } });
    fake.appHandlers.get('web-contents-created')!({}, contents);
    for (const name of ['will-navigate', 'will-redirect', 'will-attach-webview']) {
      const event = { preventDefault: vi.fn() };
      contents.emit(name, event);
      expect(event.preventDefault, name).toHaveBeenCalled();
    }
    expect(contents.openHandler!()).toEqual({ action: 'deny' });
    const answer = vi.fn();
    fake.permissionRequest!({}, 'media', answer);
    expect(answer).toHaveBeenCalledWith(false);
    expect(fake.permissionCheck!()).toBe(false);
  });

  it('quits when another instance already holds the lock', async () => {
    fake.lock = false;
    await loadMain();
    expect(fake.calls).toContain('quit');
    expect(fake.windows).toHaveLength(0);
    expect(fake.ipcHandlers.size).toBe(0);
  });
});
