// The registry's import records its verify and import events in the audit
// chain, in the same transaction as the release, and records failed attempts.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openAuditLog } from '../../../electron/core/evidence/audit-catalog.ts';
import { Registry } from '../../../electron/core/registry/registry.ts';
import { buildTestKit, makeKitEnv, type KitEnv } from '../registry/registry-kit-fixtures.ts';

let tmp: string;
let env: KitEnv;
const who = { actor: 'bob', host: 'ws-02' };

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-import-audit-'));
  env = await makeKitEnv(tmp);
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

function records(dataDir: string): ReturnType<ReturnType<typeof openAuditLog>['log']['list']> {
  const audit = openAuditLog(dataDir);
  try {
    expect(audit.log.verify().ok).toBe(true);
    return audit.log.list();
  } finally {
    audit.close();
  }
}

it('an import records kit.verify and kit.import with the kit, digest, signer and result; a re-import records nothing', async () => {
  const kit = await buildTestKit(env, { name: 'audited', version: '2.1.0', files: { 'payload/a.txt': 'a\n' } });
  const dataDir = path.join(tmp, 'ok');
  const registry = await Registry.open(dataDir, { auditIdentity: who });
  try {
    const result = await registry.import(kit, { signature: env.signature });
    const recs = records(dataDir);
    expect(recs.map((r) => r.type)).toEqual(['kit.verify', 'kit.import']);
    expect(recs[0]).toMatchObject({
      actor: 'bob', host: 'ws-02', operationId: result.operationId,
      data: { kit: 'audited@2.1.0', kitPath: kit, sumsSha256: result.release.sumsSha256, signer: { kind: 'key', fingerprint: env.key.fingerprint }, publisher: 'cli-keys', result: 'verified' },
    });
    expect(recs[1]).toMatchObject({ operationId: result.operationId, data: { kit: 'audited@2.1.0', result: 'imported', blobsWritten: result.blobsWritten } });
    expect((await registry.import(kit, { signature: env.signature })).status).toBe('unchanged');
    expect(records(dataDir)).toHaveLength(2);
  } finally {
    registry.close();
  }
});

it('a kit that fails verification is recorded with its error code, even with no operation started', async () => {
  const kit = await buildTestKit(env, { name: 'stranger', version: '1.0.0', files: { 'payload/a.txt': 'a\n' } });
  const other = await makeKitEnv(fs.mkdtempSync(path.join(tmp, 'other-')));
  const dataDir = path.join(tmp, 'bad');
  const registry = await Registry.open(dataDir, { auditIdentity: who });
  try {
    await expect(registry.import(kit, { signature: other.signature })).rejects.toMatchObject({ code: 'SIG_UNTRUSTED' });
  } finally {
    registry.close();
  }
  const recs = records(dataDir);
  expect(recs).toHaveLength(1);
  expect(recs[0]).toMatchObject({ type: 'kit.verify', operationId: null, data: { kitPath: kit, result: 'failed', errorCode: 'SIG_UNTRUSTED' } });
});
