// A data folder with recorded operations to export: a real signed kit imported
// through the registry, and an install operation (steps, preflight, migrations,
// backups) and a rollback recorded as rows, each with its audit records.
import fs from 'node:fs';
import path from 'node:path';
import { openAuditLog } from '../../../electron/core/evidence/audit-catalog.ts';
import { loadOrCreateWorkstationKey, type WorkstationKey } from '../../../electron/core/evidence/workstation-key.ts';
import { exportEvidence, type EvidenceExportOptions, type EvidenceExportResult } from '../../../electron/core/evidence/evidence-exporter.ts';
import { AuditLog } from '../../../electron/core/evidence/audit-log.ts';
import { Registry } from '../../../electron/core/registry/registry.ts';
import { buildTestKit, makeKitEnv, type KitEnv } from '../registry/registry-kit-fixtures.ts';

export const FONTS_DIR = path.resolve(import.meta.dirname, '../../../resources/fonts');
export const ACTOR = { actor: 'alice', host: 'ws-enclave-07' };

export interface EvidenceWorld {
  dataDir: string;
  env: KitEnv;
  kitPath: string;
  importOperationId: number;
  installOperationId: number;
  rollbackOperationId: number;
  failedOperationId: number;
  key: WorkstationKey;
}

const LONG_REF = 'registry.enclave.example/platform/observability/very-long-repository-name-for-wrapping/collector-agent:1.2.3-build.20260201';

function fixedClock(start: string): () => Date {
  let t = Date.parse(start);
  return () => new Date((t += 1000));
}

export const PREFLIGHT_REPORT = {
  schema: 'airlock.preflight/v1',
  generatedAt: '2026-03-02T09:00:01.000Z',
  scope: 'kit',
  kit: { name: 'demo', version: '1.0.0', created: '2026-02-01T10:00:00Z', manifestVerified: true },
  verdict: 'warn',
  checks: [
    { id: 'os', title: 'Operating system', status: 'pass', observed: 'Rocky Linux 9.4 (Blue Onyx)', expected: 'rhel, rocky 8 or 9', remedy: '' },
    { id: 'arch', title: 'CPU architecture', status: 'pass', observed: 'x64', expected: 'x64 or arm64', remedy: '' },
    { id: 'memory', title: 'Memory', status: 'pass', observed: '15.5 GiB', expected: 'at least 4.0 GiB', remedy: '' },
    { id: 'disk-root', title: 'Free space under the install root', status: 'warn', observed: '2.1 GiB free on /opt (xfs), which is less than twice what the release needs once backups are counted', expected: 'at least 1.0 GiB, recommended 4.0 GiB', remedy: 'Free space on /opt or choose another install root before the next upgrade.' },
    { id: 'fips', title: 'FIPS mode', status: 'pass', observed: 'on (/proc/sys/crypto/fips_enabled)', expected: 'any', remedy: '' },
    { id: 'network-isolation', title: 'Network isolation', status: 'skip', observed: 'no default route', expected: 'no route out of the enclave', remedy: '' },
  ],
  host: { platform: 'linux', arch: 'x64' },
};

/** Imports a kit and records install, rollback and a failed operation with their audit records. */
export async function makeEvidenceWorld(dir: string): Promise<EvidenceWorld> {
  const dataDir = path.join(dir, 'data');
  const env = await makeKitEnv(dir);
  const kitPath = await buildTestKit(env, {
    name: 'demo',
    version: '1.0.0',
    files: { 'payload/bin/app': { data: '#!/bin/sh\necho hi\n', mode: 0o755 }, 'payload/README.txt': 'hello\n', 'docs/notes.md': '# notes\n' },
    image: { ref: LONG_REF },
    migrations: [{ id: '0001_init', sql: 'CREATE TABLE t (x);\n' }, { id: '0002_more', sql: 'CREATE TABLE u (y);\n' }],
  });
  const clock = fixedClock('2026-03-02T09:00:00.000Z');
  const registry = await Registry.open(dataDir, { now: clock, auditIdentity: ACTOR });
  let importOperationId: number;
  try {
    const result = await registry.import(kitPath, { signature: env.signature });
    importOperationId = result.operationId!;
  } finally {
    registry.close();
  }
  const audit = openAuditLog(dataDir, { clock, ...ACTOR });
  try {
    const log = audit.log;
    const op = (type: string, status: string, started: string, ended: string, details: Record<string, unknown>, error?: [string, string]): number =>
      Number(audit.db.prepare('INSERT INTO operations (type, status, started_at, ended_at, error_code, error_message, details_json) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(type, status, started, ended, error?.[0] ?? null, error?.[1] ?? null, JSON.stringify(details)).lastInsertRowid);
    const installOperationId = op('install', 'succeeded', '2026-03-02T09:00:00.000Z', '2026-03-02T09:00:09.000Z', {
      release: 'demo@1.0.0',
      root: '/opt/demo',
      preflight: PREFLIGHT_REPORT,
      steps: [
        { name: 'plan', startedAt: '2026-03-02T09:00:00.000Z', endedAt: '2026-03-02T09:00:01.000Z', outcome: 'succeeded' },
        { name: 'backup', startedAt: '2026-03-02T09:00:01.000Z', endedAt: '2026-03-02T09:00:03.000Z', outcome: 'succeeded', detail: 'SQLite online backup of var/main.db (12288 bytes)' },
        { name: 'activate', startedAt: '2026-03-02T09:00:03.000Z', endedAt: '2026-03-02T09:00:04.000Z', outcome: 'succeeded' },
        { name: 'migrate', startedAt: '2026-03-02T09:00:04.000Z', endedAt: '2026-03-02T09:00:07.000Z', outcome: 'succeeded', detail: '2 applied, 0 skipped' },
        { name: 'health', startedAt: '2026-03-02T09:00:07.000Z', endedAt: '2026-03-02T09:00:08.000Z', outcome: 'succeeded', detail: 'file payload/bin/app present; sql check on main returned 1 row' },
        { name: 'commit', startedAt: '2026-03-02T09:00:08.000Z', endedAt: '2026-03-02T09:00:09.000Z', outcome: 'succeeded' },
      ],
      migrations: [
        { id: '0001_init', database: 'main', sha256: 'a'.repeat(64), outcome: 'applied' },
        { id: '0002_more', database: 'main', sha256: 'b'.repeat(64), outcome: 'applied' },
      ],
      backups: [{ database: 'main', sha256: 'c'.repeat(64), path: '/opt/demo/.airlock/backups/main-1.db' }],
    });
    for (const t of ['install.plan', 'install.backup', 'install.activate', 'install.migrate', 'install.health', 'install.commit']) {
      log.append({ type: t, operationId: installOperationId, data: { release: 'demo@1.0.0', outcome: 'succeeded' } });
    }
    const rollbackOperationId = op('rollback', 'succeeded', '2026-03-02T10:00:00.000Z', '2026-03-02T10:00:04.000Z', {
      release: 'demo@1.0.0',
      rollback: { from: 'demo@1.1.0', to: 'demo@1.0.0', reason: 'operator request', databaseRestoredFrom: { path: '/opt/demo/.airlock/backups/main-1.db', sha256: 'c'.repeat(64) } },
      steps: [
        { name: 'restore-database', startedAt: '2026-03-02T10:00:00.000Z', endedAt: '2026-03-02T10:00:02.000Z', outcome: 'succeeded' },
        { name: 'switch-release', startedAt: '2026-03-02T10:00:02.000Z', endedAt: '2026-03-02T10:00:04.000Z', outcome: 'succeeded' },
      ],
    });
    log.append({ type: 'rollback.done', operationId: rollbackOperationId, data: { from: '1.1.0', to: '1.0.0' } });
    const failedOperationId = op('import', 'failed', '2026-03-02T11:00:00.000Z', '2026-03-02T11:00:01.000Z', { kit: '/media/usb/evil.kit.tar' }, ['KIT_DIGEST_MISMATCH', 'payload/bin/app does not match its signed checksum']);
    log.append({ type: 'kit.verify', operationId: failedOperationId, data: { kit: '/media/usb/evil.kit.tar', result: 'failed', errorCode: 'KIT_DIGEST_MISMATCH' } });
    const key = loadOrCreateWorkstationKey(dataDir);
    return { dataDir, env, kitPath, importOperationId, installOperationId, rollbackOperationId, failedOperationId, key };
  } finally {
    audit.close();
  }
}

/** Runs the exporter against the world's data folder. */
export async function exportWorld(world: EvidenceWorld, options: EvidenceExportOptions): Promise<EvidenceExportResult> {
  const registry = await Registry.open(world.dataDir);
  try {
    return await exportEvidence({
      db: registry.catalog.db,
      audit: new AuditLog(registry.catalog.db, { clock: () => new Date('2026-04-01T00:00:00Z'), ...ACTOR }),
      readBlob: (d) => registry.store.read(d),
      workstationKey: world.key,
      airlockVersion: '0.1.0',
      fontsDir: FONTS_DIR,
    }, options);
  } finally {
    registry.close();
  }
}

export function readBundle(dir: string): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (const name of fs.readdirSync(dir).sort()) out[name] = fs.readFileSync(path.join(dir, name));
  return out;
}
