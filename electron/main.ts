// The desktop app's composition root: one hardened window showing the renderer
// from app://airlock, the IPC contract registered on ipcMain, and the same
// services console mode uses. Everything with logic lives elsewhere; this
// file only wires Electron to it (and a wiring test loads it against a
// stand-in electron module to check exactly that).
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, protocol, session, shell, type BrowserWindowConstructorOptions, type WebContents } from 'electron';
import { readAppVersion } from './core/app-version.ts';
import { defaultDataDir } from './core/data-dir.ts';
import { registerIpcHandlers, trustedSenderCheck } from './ipc/ipc-main-bridge.ts';
import { createAirlockServices } from './services/airlock-services.ts';
import { desktopContentSecurityPolicy, RENDERER_SECURITY_HEADERS } from './services/content-security-policy.ts';
import { resolveRendererFile } from './services/renderer-files.ts';

export const APP_SCHEME = 'app';
export const APP_ORIGIN = 'app://airlock';

const here = path.dirname(fileURLToPath(import.meta.url));
/** A checkout runs electron/main.ts; a package runs dist/electron/main.js. Both find dist/ next to them. */
const distDir = path.basename(path.resolve(here, '..')) === 'dist' ? path.resolve(here, '..') : path.resolve(here, '..', 'dist');

export function windowOptions(preload: string): BrowserWindowConstructorOptions {
  return {
    width: 1200,
    height: 860,
    minWidth: 760,
    minHeight: 560,
    show: false,
    title: 'Airlock',
    backgroundColor: '#f4f5f7',
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      safeDialogs: true,
    },
  };
}

/** Nothing the window shows may navigate away, open windows or embed other content. */
export function hardenWebContents(contents: WebContents): void {
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

function dataDirFromArgs(argv: readonly string[]): string {
  const i = argv.findIndex((a) => a === '--data-dir' || a.startsWith('--data-dir='));
  if (i >= 0) {
    const value = argv[i]!.includes('=') ? argv[i]!.slice('--data-dir='.length) : argv[i + 1];
    if (value) return path.resolve(value);
  }
  return defaultDataDir();
}

// Must happen before "ready": app:// is a standard, secure origin for the renderer.
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true } }]);

export async function startDesktopApp(): Promise<void> {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  app.enableSandbox();
  let window: BrowserWindow | null = null;
  app.on('second-instance', () => {
    if (!window) return;
    if (window.isMinimized()) window.restore();
    window.focus();
  });
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents));
  await app.whenReady();

  const csp = desktopContentSecurityPolicy();
  const rendererDir = path.join(distDir, 'renderer');
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    const found = url.host === 'airlock' ? await resolveRendererFile(rendererDir, url.pathname) : null;
    if (!found) return new Response('Not found', { status: 404, headers: { 'Content-Security-Policy': csp } });
    return new Response(await fs.readFile(found.file), {
      headers: { ...RENDERER_SECURITY_HEADERS, 'Content-Type': found.contentType, 'Content-Security-Policy': csp },
    });
  });
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } });
  });
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);

  window = new BrowserWindow(windowOptions(path.join(distDir, 'electron', 'preload.cjs')));
  const services = createAirlockServices({
    mode: 'electron',
    dataDir: dataDirFromArgs(process.argv),
    // app.getVersion() would be Electron's own when started as `electron dist/electron/main.js`.
    version: readAppVersion(),
    resourcesDir: path.resolve(distDir, '..', 'resources'),
    onDefect: (channel, error) => console.error(`airlock: defect in ${channel}:`, error),
    desktop: {
      async chooseKit(kind) {
        const result = await dialog.showOpenDialog(window!, {
          title: kind === 'file' ? 'Choose a kit file' : 'Choose an unpacked kit folder',
          properties: kind === 'file' ? ['openFile'] : ['openDirectory'],
          ...(kind === 'file'
            ? { filters: [{ name: 'Airlock kits (.kit.tar, .kit.tar.gz, .kit.tar.zst, .parts.json)', extensions: ['tar', 'gz', 'zst', 'json'] }, { name: 'All files', extensions: ['*'] }] }
            : {}),
        });
        return result.canceled ? null : (result.filePaths[0] ?? null);
      },
      async chooseFolder(title) {
        const result = await dialog.showOpenDialog(window!, { title, properties: ['openDirectory', 'createDirectory'] });
        return result.canceled ? null : (result.filePaths[0] ?? null);
      },
      // Only ever called with folders main produced or was given (the data folder, exported evidence bundles).
      async openFolder(folder) {
        return (await shell.openPath(folder)) === '';
      },
    },
  });
  const unregister = registerIpcHandlers(ipcMain, services.dispatcher, {
    isTrustedSender: trustedSenderCheck(() => window, APP_ORIGIN),
    onRefused: (channel, url) => console.warn(`airlock: refused ${channel} from ${url ?? 'an unknown frame'}`),
  });
  window.once('ready-to-show', () => window?.show());
  window.on('closed', () => {
    window = null;
  });
  app.on('window-all-closed', () => {
    unregister();
    services.close();
    app.quit();
  });
  await window.loadURL(`${APP_ORIGIN}/index.html`);
}

export const started = startDesktopApp().catch((error: unknown) => {
  dialog.showErrorBox('Airlock could not start', error instanceof Error ? error.message : String(error));
  app.exit(1);
});
