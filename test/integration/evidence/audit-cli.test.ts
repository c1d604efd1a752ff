import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openAuditLog } from '../../../electron/core/evidence/audit-catalog.ts';
import { runCli } from '../trust/cli-run.ts';

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-audit-cli-'));
});
afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

function seed(n: number): Array<{ seq: number; hash: string }> {
  const audit = openAuditLog(tmp, { clock: () => new Date('2026-03-01T10:00:00Z'), actor: 'alice', host: 'ws1' });
  try {
    return Array.from({ length: n }, (_, i) => audit.log.append({ type: 'kit.verify', operationId: i < 2 ? 1 : 2, data: { i } }));
  } finally {
    audit.close();
  }
}

it('audit verify reports an intact chain with its head, and audit list prints the records', async () => {
  const records = seed(3);
  const ok = await runCli(['audit', 'verify', '--data-dir', tmp, '--json']);
  expect(ok.exitCode).toBe(0);
  expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, audit: { ok: true, count: 3, head: { seq: 3, hash: records[2]!.hash } } });
  const text = await runCli(['audit', 'verify', '--data-dir', tmp]);
  expect(text.stdout).toContain(`3:${records[2]!.hash}`);
  const list = await runCli(['audit', 'list', '--operation', '1', '--data-dir', tmp, '--json']);
  expect(JSON.parse(list.stdout).records.map((r: { seq: number }) => r.seq)).toEqual([1, 2]);
  const listText = await runCli(['audit', 'list', '--data-dir', tmp]);
  expect(listText.stdout).toMatch(/^ {4}1 {2}2026-03-01T10:00:00.000Z {2}alice@ws1 {2}kit.verify {2}op 1 {2}\{"i":0\}$/m);
});

it('audit verify fails with AUDIT_CHAIN_BROKEN naming the first bad record', async () => {
  seed(4);
  const audit = openAuditLog(tmp);
  audit.db.prepare(`UPDATE audit_events SET data_json = '{"i":99}' WHERE seq = 2`).run();
  audit.close();
  const r = await runCli(['audit', 'verify', '--data-dir', tmp, '--json']);
  expect(r.exitCode).toBe(1);
  const out = JSON.parse(r.stdout);
  expect(out).toMatchObject({ ok: false, error: { code: 'AUDIT_CHAIN_BROKEN', field: 'audit_events[seq=2]', details: { firstBadSeq: 2 } } });
  const text = await runCli(['audit', 'verify', '--data-dir', tmp]);
  expect(text.stderr).toContain('AUDIT_CHAIN_BROKEN');
  expect(text.stderr).toContain('record 2');
});

it('audit verify --head catches a removed tail that the chain alone cannot see', async () => {
  const records = seed(4);
  const head = `4:${records[3]!.hash}`;
  expect((await runCli(['audit', 'verify', '--data-dir', tmp, '--head', head])).exitCode).toBe(0);
  const audit = openAuditLog(tmp);
  audit.db.prepare('DELETE FROM audit_events WHERE seq = 4').run();
  audit.close();
  expect((await runCli(['audit', 'verify', '--data-dir', tmp])).exitCode).toBe(0);
  const r = await runCli(['audit', 'verify', '--data-dir', tmp, '--head', head, '--json']);
  expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, error: { code: 'AUDIT_CHAIN_BROKEN', details: { firstBadSeq: 4 } } });
  expect((await runCli(['audit', 'verify', '--data-dir', tmp, '--head', 'nonsense'])).exitCode).toBe(2);
});
