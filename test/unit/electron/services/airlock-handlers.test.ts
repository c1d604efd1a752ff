// The services both faces share, driven through the one dispatcher as the
// window would drive them: scan, verify (in a worker), preflight on a fixture
// host, import, registry, and what each face may or may not do.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IpcChannel, IpcEventName, IpcResult } from '../../../../shared/ipc-contract.ts';
import { createNodeHostProbeDeps } from '../../../../electron/core/preflight/node-host-deps.ts';
import { createAirlockServices, type AirlockServices, type AirlockServicesOptions } from '../../../../electron/services/airlock-services.ts';
import { WorkerKitJobRunner } from '../../../../electron/services/kit-job-runner.ts';
import type { DriveScanDeps } from '../../../../electron/services/removable-drives.ts';
import { SPDX_DOC, buildTestKit, makeKitEnv, seededBytes, type KitEnv } from '../../../integration/registry/registry-kit-fixtures.ts';

const ROCKY = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../fixtures/hosts/linux/rocky-9.4');
const HELD_WORKER = new URL('../../../e2e/support/held-kit-worker.ts', import.meta.url);

let dir: string;
let env: KitEnv;
let kitsDir: string;
const opened: AirlockServices[] = [];

const noDrives: DriveScanDeps = { platform: 'linux', readText: async () => '', listDirs: async () => [], runner: { run: async () => ({ exitCode: 1, stdout: '', stderr: '' }) } };

async function services(name: string, extra: Partial<AirlockServicesOptions> = {}): Promise<AirlockServices> {
  const dataDir = path.join(dir, name);
  await fs.mkdir(dataDir, { recursive: true });
  await fs.writeFile(path.join(dataDir, 'trust-policy.json'), JSON.stringify({ schema: 'airlock.trust-policy/v1', publishers: [{ name: 'Example Corp', keys: [{ path: env.publicPath }] }] }));
  const s = createAirlockServices({ mode: 'console', dataDir, kitFolders: [kitsDir], hostProbeDeps: createNodeHostProbeDeps({ systemRoot: ROCKY }), driveScan: noDrives, ...extra });
  opened.push(s);
  return s;
}

function client(): { signal: AbortSignal; abort(): void; send(e: IpcEventName, p: unknown): void; events: unknown[] } {
  const controller = new AbortController();
  const events: unknown[] = [];
  return { signal: controller.signal, abort: () => controller.abort(), send: (_e, p) => events.push(p), events };
}

async function call<T>(s: AirlockServices, channel: IpcChannel, request: unknown, c = client()): Promise<T> {
  const result = (await s.dispatcher.dispatch(channel, request, c)) as IpcResult<T>;
  if (!result.ok) throw Object.assign(new Error(result.error.message), result.error);
  return result.value;
}

type Scan = { kits: Array<{ id: string; name: string; kind: string; source: string; location: string }>; searched: Array<{ path: string; found: number; problem?: string }> };

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'airlock-handlers-'));
  env = await makeKitEnv(dir);
  kitsDir = path.join(dir, 'kits');
  await fs.mkdir(kitsDir);
  await buildTestKit(env, { name: 'app', version: '1.0.0', files: { 'payload/a': 'one\n' }, sboms: [{ path: 'sbom.spdx.json', format: 'spdx-json', doc: SPDX_DOC([{ name: 'zlib', version: '1.3' }]) }] }, { out: path.join(kitsDir, 'app-1.0.0.kit.tar') });
  await buildTestKit(env, { name: 'app', version: '1.1.0', files: { 'payload/a': 'two\n' }, sboms: [{ path: 'sbom.spdx.json', format: 'spdx-json', doc: SPDX_DOC([{ name: 'zlib', version: '1.3.1' }]) }] }, { out: path.join(kitsDir, 'app-1.1.0.kit.tar.gz'), compress: 'gzip' });
  await buildTestKit(env, { name: 'big', files: { 'payload/big.bin': seededBytes('big', 24 * 1024 * 1024) } }, { out: path.join(dir, 'big-1.0.0.kit.tar') });
});

afterAll(async () => {
  for (const s of opened) s.close();
  await fs.rm(dir, { recursive: true, force: true });
});

describe('airlock handlers', () => {
  it('scans the kit folders (incoming/ first) and hands out handles, not paths to send back', async () => {
    const s = await services('scan');
    await fs.copyFile(path.join(kitsDir, 'app-1.0.0.kit.tar'), path.join(s.dataDir, 'incoming', 'copied-1.0.0.kit.tar'));
    const scan = await call<Scan>(s, 'kits.scan', {});
    expect(scan.kits.map((k) => [k.name, k.source])).toEqual([
      ['copied-1.0.0.kit.tar', 'folder'],
      ['app-1.0.0.kit.tar', 'folder'],
      ['app-1.1.0.kit.tar.gz', 'folder'],
    ]);
    expect(scan.searched.map((r) => [r.path, r.found])).toEqual([[path.join(s.dataDir, 'incoming'), 1], [kitsDir, 2]]);
    for (const k of scan.kits) expect(k.id).toMatch(/^kit_[0-9a-f]{32}$/);
    const again = await call<Scan>(s, 'kits.scan', {});
    expect(again.kits.map((k) => k.id)).toEqual(scan.kits.map((k) => k.id));
  });

  it('verifies in a worker with progress, then preflights with the verified kit.json, then imports', async () => {
    const s = await services('flow');
    const scan = await call<Scan>(s, 'kits.scan', {});
    const kit = scan.kits.find((k) => k.name === 'app-1.0.0.kit.tar')!;
    const c = client();
    const verification = await call<{ name: string; signature: { publisher: string } }>(s, 'kit.verify', { kit: kit.id, operationId: 'op_verify_1' }, c);
    expect(verification).toMatchObject({ name: 'app', signature: { publisher: 'Example Corp' } });
    expect(c.events.length).toBeGreaterThan(0);
    expect(c.events[0]).toMatchObject({ operationId: 'op_verify_1', progress: { phase: 'verify' } });

    const report = await call<{ scope: string; kit: { manifestVerified: boolean }; host: { os: { id: string } } }>(s, 'kit.preflight', { kit: kit.id });
    expect(report).toMatchObject({ scope: 'kit', kit: { manifestVerified: true }, host: { os: { id: 'rocky' } } });

    const imported = await call<{ status: string; release: { name: string; version: string } }>(s, 'kit.import', { kit: kit.id, operationId: 'op_import_1' });
    expect(imported).toMatchObject({ status: 'imported', release: { name: 'app', version: '1.0.0' } });
    const next = scan.kits.find((k) => k.name === 'app-1.1.0.kit.tar.gz')!;
    await call(s, 'kit.import', { kit: next.id, operationId: 'op_import_2' });

    const list = await call<{ releases: Array<{ version: string }> }>(s, 'registry.list', {});
    expect(list.releases.map((r) => r.version).sort()).toEqual(['1.0.0', '1.1.0']);
    const detail = await call<{ packages: Array<{ name: string; version: string }> }>(s, 'registry.show', { name: 'app', version: '1.0.0' });
    expect(detail.packages).toEqual([expect.objectContaining({ name: 'zlib', version: '1.3' })]);
    const diff = await call<{ files: { changed: Array<{ path: string }> }; packages: { changed: Array<{ name: string }> } }>(s, 'registry.diff', { from: { name: 'app', version: '1.0.0' }, to: { name: 'app', version: '1.1.0' } });
    expect(diff.files.changed.map((f) => f.path)).toContain('payload/a');
    expect(diff.packages.changed.map((p) => p.name)).toEqual(['zlib']);
    await expect(call(s, 'registry.show', { name: 'app', version: '9.9.9' })).rejects.toMatchObject({ code: 'RELEASE_NOT_FOUND' });
  });

  it('labels a preflight of an unverified kit as such', async () => {
    const s = await services('unverified');
    const kit = (await call<Scan>(s, 'kits.scan', {})).kits[0]!;
    expect(await call(s, 'kit.preflight', { kit: kit.id })).toMatchObject({ kit: { manifestVerified: false } });
  });

  it('refuses to verify without a trust policy, and ids it never handed out', async () => {
    const s = await services('no-policy');
    await fs.rm(path.join(s.dataDir, 'trust-policy.json'));
    const kit = (await call<Scan>(s, 'kits.scan', {})).kits[0]!;
    await expect(call(s, 'kit.verify', { kit: kit.id, operationId: 'op_nopolicy' })).rejects.toMatchObject({ code: 'TRUST_POLICY_MISSING' });
    await expect(call(s, 'kit.verify', { kit: `kit_${'9'.repeat(32)}`, operationId: 'op_unknown1' })).rejects.toMatchObject({ code: 'KIT_HANDLE_UNKNOWN' });
  });

  it('cancels a running verify on request, and refuses a second operation with the same id', async () => {
    const s = await services('cancel', { jobs: new WorkerKitJobRunner({ workerUrl: HELD_WORKER }), kitFolders: [dir] });
    const big = (await call<Scan>(s, 'kits.scan', {})).kits.find((k) => k.name === 'big-1.0.0.kit.tar')!;
    const c = client();
    const running = call(s, 'kit.verify', { kit: big.id, operationId: 'op_cancel_1' }, c);
    while (c.events.length < 2) await new Promise((r) => setTimeout(r, 10));
    await expect(call(s, 'kit.verify', { kit: big.id, operationId: 'op_cancel_1' })).rejects.toMatchObject({ code: 'IPC_INVALID' });
    expect(await call(s, 'operation.cancel', { operationId: 'op_cancel_1' })).toEqual({ cancelled: true });
    await expect(running).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(await call(s, 'operation.cancel', { operationId: 'op_cancel_1' })).toEqual({ cancelled: false });
  });

  it('cancels what a client started when that client goes away', async () => {
    const s = await services('gone', { jobs: new WorkerKitJobRunner({ workerUrl: HELD_WORKER }), kitFolders: [dir] });
    const big = (await call<Scan>(s, 'kits.scan', {})).kits.find((k) => k.name === 'big-1.0.0.kit.tar')!;
    const c = client();
    const running = call(s, 'kit.verify', { kit: big.id, operationId: 'op_gone_1' }, c);
    while (c.events.length < 2) await new Promise((r) => setTimeout(r, 10));
    c.abort();
    await expect(running).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  it('in console mode: no dialogs, drops or folder opening, and app.info says so', async () => {
    const s = await services('console');
    expect(await call(s, 'app.info', {})).toMatchObject({ name: 'Airlock', mode: 'console', dataDir: s.dataDir, kitFolders: [path.join(s.dataDir, 'incoming'), kitsDir], capabilities: { nativeDialog: false, dropFiles: false, openFolder: false } });
    await expect(call(s, 'kits.choose', { kind: 'file' })).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await expect(call(s, 'kits.dropped', { paths: [path.join(kitsDir, 'app-1.0.0.kit.tar')] })).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await expect(call(s, 'app.openDataDir', {})).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('in the desktop app: dialog choices and drops become handles; non-kits are named and refused', async () => {
    const chosen: Array<string | null> = [path.join(kitsDir, 'app-1.1.0.kit.tar.gz'), null];
    const openedFolders: string[] = [];
    const s = await services('desktop', {
      mode: 'electron',
      desktop: {
        chooseKit: async () => chosen.shift() ?? null,
        chooseFolder: async () => null,
        openFolder: async (f) => {
          openedFolders.push(f);
          return true;
        },
      },
    });
    expect(await call(s, 'app.info', {})).toMatchObject({ mode: 'electron', capabilities: { nativeDialog: true, dropFiles: true, openFolder: true } });
    expect(await call(s, 'kits.choose', { kind: 'file' })).toMatchObject({ kit: { name: 'app-1.1.0.kit.tar.gz', source: 'dialog', kind: 'archive' } });
    expect(await call(s, 'kits.choose', { kind: 'file' })).toEqual({ kit: null });
    const dropped = await call<{ kits: Array<{ name: string; source: string }>; rejected: Array<{ name: string }> }>(s, 'kits.dropped', { paths: [path.join(kitsDir, 'app-1.0.0.kit.tar'), dir] });
    expect(dropped.kits).toEqual([expect.objectContaining({ name: 'app-1.0.0.kit.tar', source: 'drop' })]);
    expect(dropped.rejected).toEqual([{ name: path.basename(dir), reason: expect.stringContaining('SHA256SUMS') }]);
    expect(await call(s, 'app.openDataDir', {})).toEqual({ opened: true });
    expect(openedFolders).toEqual([s.dataDir]);
  });

  it('edits the trust policy through the contract', async () => {
    const s = await services('trust');
    const before = await call<{ publishers: Array<{ name: string; keys: unknown[] }> }>(s, 'trust.get', {});
    expect(before.publishers).toEqual([expect.objectContaining({ name: 'Example Corp', keys: [expect.objectContaining({ source: env.publicPath })] })]);
    const after = await call<{ publishers: Array<{ name: string }> }>(s, 'trust.addKeyless', { publisher: 'CI', issuer: 'https://issuer.example', subject: 'ci@acme.example' });
    expect(after.publishers.map((p) => p.name)).toEqual(['Example Corp', 'CI']);
  });
});
