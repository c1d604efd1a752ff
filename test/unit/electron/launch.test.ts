import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findElectronBinary } from '../../../electron/launch.ts';

let root: string;

beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'airlock-launch-'));
  await fs.mkdir(path.join(root, 'node_modules', 'electron'), { recursive: true });
});

afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

describe('npm start: finding the Electron binary', () => {
  it('finds nothing when the package was installed without its binary', async () => {
    expect(findElectronBinary(root, {})).toBeNull();
    await fs.writeFile(path.join(root, 'node_modules', 'electron', 'path.txt'), 'electron');
    expect(findElectronBinary(root, {})).toBeNull();
  });

  it('finds the binary the package recorded, or under ELECTRON_OVERRIDE_DIST_PATH', async () => {
    await fs.writeFile(path.join(root, 'node_modules', 'electron', 'path.txt'), 'electron');
    await fs.mkdir(path.join(root, 'node_modules', 'electron', 'dist'));
    await fs.writeFile(path.join(root, 'node_modules', 'electron', 'dist', 'electron'), '');
    expect(findElectronBinary(root, {})).toBe(path.join(root, 'node_modules', 'electron', 'dist', 'electron'));
    const elsewhere = path.join(root, 'cache');
    await fs.mkdir(elsewhere);
    expect(findElectronBinary(root, { ELECTRON_OVERRIDE_DIST_PATH: elsewhere })).toBeNull();
    await fs.writeFile(path.join(elsewhere, 'electron'), '');
    expect(findElectronBinary(root, { ELECTRON_OVERRIDE_DIST_PATH: elsewhere })).toBe(path.join(elsewhere, 'electron'));
  });

  it('reports this checkout as having no binary (the machines here cannot download it)', () => {
    expect(findElectronBinary()).toBeNull();
  });
});
