// The packaging config cannot be exercised here (no Electron binary), so it is
// checked against electron-builder's own schema and for what the release needs.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const require = createRequire(import.meta.url);
const yaml = require('js-yaml') as { load(text: string): unknown };
const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as { validateConfiguration(config: unknown, logger: unknown): Promise<void> };
const { DebugLogger } = require('builder-util/out/DebugLogger.js') as { DebugLogger: new (enabled: boolean) => unknown };

type Target = { target: string; arch: string[] };
const config = yaml.load(fs.readFileSync(path.join(repo, 'build', 'electron-builder.yml'), 'utf8')) as {
  productName: string;
  extraMetadata: { main: string };
  asarUnpack: string[];
  npmRebuild: boolean;
  linux: { target: Target[] };
  win: { target: Target[] };
  files: string[];
};

describe('build/electron-builder.yml', () => {
  it('is valid for electron-builder', async () => {
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('builds AppImage, deb and rpm for Linux and NSIS and portable for Windows, on x64 and arm64', () => {
    const targets = (list: Target[]) => list.map((t) => [t.target, [...t.arch].sort()]);
    expect(targets(config.linux.target)).toEqual([['AppImage', ['arm64', 'x64']], ['deb', ['arm64', 'x64']], ['rpm', ['arm64', 'x64']]]);
    expect(targets(config.win.target)).toEqual([['nsis', ['arm64', 'x64']], ['portable', ['arm64', 'x64']]]);
    expect(config.productName).toBe('Airlock');
  });

  it("unpacks better-sqlite3's prebuilds from the asar and compiles nothing", () => {
    expect(config.asarUnpack).toContain('node_modules/better-sqlite3/prebuilds/**');
    expect(fs.readdirSync(path.join(repo, 'node_modules', 'better-sqlite3', 'prebuilds'))).toEqual(expect.arrayContaining(['linux-x64.node', 'linux-arm64.node', 'win32-x64.node', 'win32-arm64.node']));
    expect(config.npmRebuild).toBe(false);
  });

  it('starts the compiled main process and ships the renderer, the preload and the trust roots', () => {
    expect(config.extraMetadata.main).toBe('dist/electron/main.js');
    expect(config.files).toEqual(expect.arrayContaining(['dist/electron/**', 'dist/shared/**', 'dist/renderer/**', 'resources/**']));
  });
});
