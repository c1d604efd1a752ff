// The install, releases, evidence and audit channels, driven through the one
// dispatcher as the window drives them: plan → install (in the worker, with
// live steps) → a failing upgrade rolled back automatically → a manual
// rollback → evidence export and its download → the audit chain; cancel
// before and after the point of no return; and who decides the install root.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IpcChannel, IpcEventName, IpcResponse, IpcResult } from '../../../../shared/ipc-contract.ts';
import type { OperationStepsEvent } from '../../../../shared/ipc-install-schemas.ts';
import { openAuditLog } from '../../../../electron/core/evidence/audit-catalog.ts';
import { createNodeHostProbeDeps } from '../../../../electron/core/preflight/node-host-deps.ts';
import { createAirlockServices, type AirlockServices, type AirlockServicesOptions } from '../../../../electron/services/airlock-services.ts';
import type { KitJobRunner } from '../../../../electron/services/kit-job-runner.ts';
import type { DriveScanDeps } from '../../../../electron/services/removable-drives.ts';
import { runKitJob } from '../../../../electron/workers/kit-job.ts';
import { V1_MIGRATIONS, makeInstallEnv, query, v1, v2, type InstallEnv } from '../../../helpers/install-fixtures.ts';

const ROCKY = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../fixtures/hosts/linux/rocky-9.4');
const noDrives: DriveScanDeps = { platform: 'linux', readText: async () => '', listDirs: async () => [], runner: { run: async () => ({ exitCode: 1, stdout: '', stderr: '' }) } };
/** Runs jobs on this thread, so a test can act inside a step event; the worker path is the default runner. */
const inProcess: KitJobRunner = { run: (job, options) => runKitJob(job, options) };

let env: InstallEnv;
const opened: AirlockServices[] = [];

interface Client {
  signal: AbortSignal;
  send(e: IpcEventName, p: unknown): void;
  steps: OperationStepsEvent[];
  onSteps?: (e: OperationStepsEvent) => void;
}

function client(): Client {
  const c: Client = {
    signal: new AbortController().signal,
    steps: [],
    send: (event, payload) => {
      if (event !== 'operation.steps') return;
      c.steps.push(payload as OperationStepsEvent);
      c.onSteps?.(payload as OperationStepsEvent);
    },
  };
  return c;
}

async function call<C extends IpcChannel>(s: AirlockServices, channel: C, request: unknown, c: Client = client()): Promise<IpcResponse<C>> {
  const result = (await s.dispatcher.dispatch(channel, request, c)) as IpcResult<IpcResponse<C>>;
  if (!result.ok) throw Object.assign(new Error(result.error.message), result.error);
  return result.value;
}

function services(extra: Partial<AirlockServicesOptions> = {}): AirlockServices {
  const s = createAirlockServices({
    mode: 'console',
    dataDir: env.dataDir,
    installRoot: env.root,
    hostProbeDeps: createNodeHostProbeDeps({ systemRoot: ROCKY }),
    driveScan: noDrives,
    ...extra,
  });
  opened.push(s);
  return s;
}

async function plan(s: AirlockServices, version: string) {
  return call(s, 'install.plan', { release: { name: 'notes', version } });
}

async function install(s: AirlockServices, version: string, c: Client = client(), operationId = `op_install_${version.replaceAll('.', '_')}`) {
  const { planDigest } = await plan(s, version);
  return call(s, 'install.run', { release: { name: 'notes', version }, operationId, planDigest, acknowledgeWarnings: true, allowDestructive: false }, c);
}

beforeAll(async () => {
  env = await makeInstallEnv('airlock-install-handlers-');
  fs.writeFileSync(path.join(env.dataDir, 'trust-policy.json'), JSON.stringify({ schema: 'airlock.trust-policy/v1', publishers: [{ name: 'Notes Inc', keys: [{ path: env.publisher.publicPath }] }] }));
  await env.importVersion(v1());
  await env.importVersion(v2());
  await env.importVersion({ ...v2(), version: '1.2.0', migrations: [...V1_MIGRATIONS, { id: '0002_broken', sql: 'INSERT INTO no_such_table (x) VALUES (1);\n' }] });
  // The services open their own connection, as the window does.
  env.registry.close();
});

afterAll(() => {
  for (const s of opened) s.close();
  env?.close();
});

describe('install handlers', () => {
  it('plans a fresh install from the registry and installs it in the worker, reporting each recorded step', async () => {
    const s = services();
    const fresh = await plan(s, '1.0.0');
    expect(fresh.plan).toMatchObject({ root: env.root, kind: 'fresh', from: null, to: { version: '1.0.0' }, blockers: [] });
    expect(fresh.plan.files.added).toContain('bin/notes');
    expect(fresh.plan.migrations.map((m) => [m.id, m.action])).toEqual([['0001_init', 'apply']]);
    expect(fresh.plan.preflight.report.host.os.id).toBe('rocky');
    expect(fresh.planDigest).toMatch(/^[0-9a-f]{64}$/);

    const c = client();
    const result = await install(s, '1.0.0', c);
    expect(result).toMatchObject({ kind: 'fresh', from: null, to: '1.0.0', active: '1.0.0' });
    expect(result.steps.map((x) => [x.name, x.outcome])).toEqual([
      ['backup', 'succeeded'], ['materialize', 'succeeded'], ['migrate', 'succeeded'], ['switch', 'succeeded'], ['health', 'succeeded'], ['commit', 'succeeded'],
    ]);
    // Live: the first event has steps still to come, the last has them all done, and cancel stops working on the way.
    expect(c.steps.length).toBeGreaterThan(3);
    expect(c.steps[0]!.steps.some((x) => x.outcome === 'pending')).toBe(true);
    expect(c.steps[0]!.cancellable).toBe(true);
    expect(c.steps.at(-1)!).toMatchObject({ operationId: 'op_install_1_0_0', catalogOperationId: result.operationId, cancellable: false });
    expect(fs.readlinkSync(path.join(env.root, 'current'))).toContain('1.0.0');
  });

  it('refuses to run a plan that changed since it was shown', async () => {
    const s = services();
    const request = { release: { name: 'notes', version: '1.1.0' }, operationId: 'op_stale_plan', planDigest: '0'.repeat(64), acknowledgeWarnings: true, allowDestructive: false };
    await expect(call(s, 'install.run', request)).rejects.toMatchObject({ code: 'PLAN_CHANGED' });
    expect((await call(s, 'install.status', {})).active).toBe('1.0.0');
  });

  it('rolls a failing migration back automatically: the error, the rollback step, and the previous release still active', async () => {
    const s = services({ jobs: inProcess });
    const c = client();
    const failure = await install(s, '1.2.0', c).then(() => null, (e: { code: string; details?: Record<string, unknown> }) => e);
    expect(failure).toMatchObject({ code: 'MIGRATION_FAILED', details: { failedStep: 'migrate', active: '1.0.0' } });
    const last = c.steps.at(-1)!.steps;
    expect(last.find((x) => x.name === 'migrate')).toMatchObject({ outcome: 'failed', error: { code: 'MIGRATION_FAILED' } });
    expect(last.find((x) => x.name === 'rollback')).toMatchObject({ outcome: 'succeeded' });
    expect(last.find((x) => x.name === 'switch')).toMatchObject({ outcome: 'skipped' });
    const status = await call(s, 'install.status', {});
    expect(status.active).toBe('1.0.0');
    expect(query(env.dbFile(), "SELECT count(*) AS n FROM sqlite_master WHERE name = 'no_such_table'")).toEqual([{ n: 0 }]);
  });

  it('cancels an install before its point of no return, and not after', async () => {
    const s = services({ jobs: inProcess });
    const early = client();
    early.onSteps = (e) => {
      if (e.steps[0]!.outcome === 'running') void call(s, 'operation.cancel', { operationId: 'op_cancel_early' }).then((r) => expect(r).toEqual({ cancelled: true }));
    };
    await expect(install(s, '1.1.0', early, 'op_cancel_early')).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(early.steps.at(-1)!.steps.find((x) => x.name === 'rollback')).toMatchObject({ outcome: 'succeeded' });
    expect((await call(s, 'install.status', {})).active).toBe('1.0.0');

    const late = client();
    const answers: Array<Promise<boolean>> = [];
    late.onSteps = (e) => {
      if (!e.cancellable && e.steps.find((x) => x.name === 'migrate')?.outcome === 'succeeded' && answers.length === 0) {
        answers.push(call(s, 'operation.cancel', { operationId: 'op_cancel_late' }).then((r) => r.cancelled));
      }
    };
    const upgraded = await install(s, '1.1.0', late, 'op_cancel_late');
    expect(upgraded).toMatchObject({ kind: 'upgrade', from: '1.0.0', active: '1.1.0' });
    expect(await Promise.all(answers)).toEqual([false]);
  });

  it('lists the releases and the history, and rolls back to a retained release after showing what it restores', async () => {
    const s = services();
    const list = await call(s, 'releases.list', {});
    expect(list.status.active).toBe('1.1.0');
    expect(list.status.releases.map((r) => [r.version, r.active, r.rollbackTarget])).toEqual([['1.1.0', true, false], ['1.0.0', false, true]]);
    expect(list.history.map((o) => [o.type, o.to, o.status])).toEqual([
      ['install', '1.1.0', 'succeeded'],
      ['install', '1.1.0', 'failed'],
      ['install', '1.2.0', 'failed'],
      ['install', '1.0.0', 'succeeded'],
    ]);
    expect(list.history[1]!.error?.code).toBe('CANCELLED');

    const { plan: rollback, planDigest } = await call(s, 'rollback.plan', { to: '1.0.0' });
    expect(rollback).toMatchObject({ from: '1.1.0', to: '1.0.0', blockers: [] });
    expect(rollback.restore?.databases.map((d) => d.id)).toEqual(['main']);
    const c = client();
    const result = await call(s, 'rollback.run', { to: '1.0.0', operationId: 'op_rollback_1', planDigest }, c);
    expect(result).toMatchObject({ from: '1.1.0', to: '1.0.0', active: '1.0.0' });
    expect(result.steps.map((x) => x.name)).toEqual(['backup', 'restore', 'switch', 'health', 'commit']);
    expect(c.steps.every((e) => !e.cancellable)).toBe(true);
    expect(await call(s, 'operation.cancel', { operationId: 'op_rollback_1' })).toEqual({ cancelled: false });
    // 1.0.0's data again: the tags table of 1.1.0 is gone.
    expect(query(env.dbFile(), "SELECT count(*) AS n FROM sqlite_master WHERE name = 'tags'")).toEqual([{ n: 0 }]);
  });

  it('exports an operation\'s evidence into the data folder under a stable name, and serves only its report for download', async () => {
    const s = services({ jobs: inProcess });
    const history = (await call(s, 'releases.list', {})).history;
    const fresh = history.find((o) => o.to === '1.0.0' && o.type === 'install')!;
    const key = await call(s, 'workstation.key', {});
    const exported = await call(s, 'evidence.export', { operation: fresh.id });
    expect(exported.folder).toBe(path.join(env.dataDir, 'evidence', `operation-${fresh.id}-install-notes-1.0.0`));
    expect(exported).toMatchObject({ operationId: fresh.id, operationType: 'install', verdict: { status: 'pass' }, workstationFingerprint: key.fingerprint });
    expect(exported.files.map((f) => f.path)).toContain('report.pdf');
    expect(fs.readFileSync(path.join(exported.folder, 'report.pdf')).subarray(0, 5).toString()).toBe('%PDF-');
    expect(exported.reportDownload).toBe(`/downloads/evidence/${exported.handle}/report.pdf`);
    expect(s.resolveDownload(exported.reportDownload!)).toMatchObject({ file: path.join(exported.folder, 'report.pdf'), contentType: 'application/pdf' });
    for (const other of [`/downloads/evidence/${exported.handle}/manifest.json`, `/downloads/evidence/${exported.handle}/../report.pdf`, `/downloads/evidence/ev_${'0'.repeat(32)}/report.pdf`]) {
      expect(s.resolveDownload(other), other).toBeNull();
    }
    await expect(call(s, 'evidence.openFolder', { handle: exported.handle })).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await expect(call(s, 'evidence.export', { operation: 9999 })).rejects.toMatchObject({ code: 'OPERATION_NOT_FOUND' });

    // The desktop app exports the same operation again into the same folder (replaced), opens it by handle, and offers no download.
    const openedFolders: string[] = [];
    const desktop = services({ jobs: inProcess, mode: 'electron', desktop: { chooseKit: async () => null, chooseFolder: async () => null, openFolder: async (f) => openedFolders.push(f) > 0 } });
    const local = await call(desktop, 'evidence.export', { operation: fresh.id });
    expect(local.folder).toBe(exported.folder);
    expect(fs.readdirSync(path.dirname(exported.folder))).toEqual([path.basename(exported.folder)]);
    expect(local.reportDownload).toBeNull();
    expect(await call(desktop, 'evidence.openFolder', { handle: local.handle })).toEqual({ opened: true });
    expect(openedFolders).toEqual([exported.folder]);
    await expect(call(desktop, 'evidence.openFolder', { handle: exported.handle })).rejects.toMatchObject({ code: 'IPC_INVALID' });
  });

  it('reports the audit chain as OK with its head, and pages its records newest first', async () => {
    const s = services();
    const status = await call(s, 'audit.status', {});
    expect(status).toMatchObject({ ok: true, firstBadSeq: null });
    expect(status.head!.seq).toBe(status.count);
    const first = await call(s, 'audit.list', { page: 0, pageSize: 10 });
    expect(first.total).toBe(status.count);
    expect(first.records.map((r) => r.seq)).toEqual(Array.from({ length: 10 }, (_, i) => status.count - i));
    expect(first.records[0]!.type).toBe('evidence.export');
    const lastPage = Math.floor((status.count - 1) / 10);
    const tail = await call(s, 'audit.list', { page: lastPage, pageSize: 10 });
    expect(tail.records.at(-1)!.seq).toBe(1);
    expect((await call(s, 'audit.list', { page: lastPage + 1, pageSize: 10 })).records).toEqual([]);
    const types = new Set((await call(s, 'audit.list', { page: 0, pageSize: 100 })).records.map((r) => r.type));
    for (const t of ['install.plan', 'install.commit', 'install.rollback', 'rollback.commit', 'workstation-key.create']) expect(types, t).toContain(t);

    // A record changed behind Airlock's back: the chain is reported broken at that record.
    const audit = openAuditLog(env.dataDir);
    try {
      audit.db.prepare("UPDATE audit_events SET data_json = '{\"edited\":true}' WHERE seq = 3").run();
    } finally {
      audit.close();
    }
    expect(await call(s, 'audit.status', {})).toMatchObject({ ok: false, firstBadSeq: 3 });
  });

  it('lets main decide the install root: the command line fixes it, the desktop app chooses it with its dialog, and it is recorded', async () => {
    const dataDir = path.join(env.dir, 'desktop-data');
    const chosen = path.join(env.dir, 'chosen-root');
    const console = services({ dataDir, installRoot: undefined });
    expect(await call(console, 'settings.installRoot', {})).toEqual({ path: null, source: 'unset', editable: false });
    await expect(call(console, 'install.plan', { release: { name: 'notes', version: '1.0.0' } })).rejects.toMatchObject({ code: 'INSTALL_ROOT_UNSET' });
    await expect(call(console, 'settings.chooseInstallRoot', {})).rejects.toMatchObject({ code: 'UNAVAILABLE' });

    const desktop = services({ dataDir, installRoot: undefined, mode: 'electron', desktop: { chooseKit: async () => null, chooseFolder: async () => chosen, openFolder: async () => true } });
    expect(await call(desktop, 'settings.chooseInstallRoot', {})).toEqual({ path: chosen, source: 'settings', editable: true });
    expect(await call(console, 'settings.installRoot', {})).toEqual({ path: chosen, source: 'settings', editable: false });
    const fixed = services({ dataDir });
    expect(await call(fixed, 'settings.installRoot', {})).toEqual({ path: env.root, source: 'command-line', editable: false });
    const audit = openAuditLog(dataDir);
    try {
      expect(audit.log.list().map((r) => [r.type, r.data])).toEqual([['settings.install-root', { from: null, to: chosen }]]);
    } finally {
      audit.close();
    }
  });
});
