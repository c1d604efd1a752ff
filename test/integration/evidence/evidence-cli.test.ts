// The evidence commands as a script would use them: export, verify, key.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli } from '../trust/cli-run.ts';
import { makeEvidenceWorld, type EvidenceWorld } from './evidence-fixtures.ts';

let tmp: string;
let world: EvidenceWorld;
beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-evidence-cli-'));
  world = await makeEvidenceWorld(tmp);
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

it('evidence key prints the workstation key fingerprint, the same each time', async () => {
  const r = await runCli(['evidence', 'key', '--data-dir', world.dataDir, '--json']);
  expect(r.exitCode).toBe(0);
  expect(JSON.parse(r.stdout).workstationKey).toMatchObject({ fingerprint: world.key.fingerprint, created: false });
  const text = await runCli(['evidence', 'key', '--data-dir', world.dataDir]);
  expect(text.stdout).toContain(world.key.fingerprint);
  // A new data folder gets its own key on first use, and the creation is audited.
  const fresh = path.join(tmp, 'fresh');
  const first = JSON.parse((await runCli(['evidence', 'key', '--data-dir', fresh, '--json'])).stdout).workstationKey;
  expect(first.created).toBe(true);
  const list = JSON.parse((await runCli(['audit', 'list', '--data-dir', fresh, '--json'])).stdout);
  expect(list.records).toEqual([expect.objectContaining({ type: 'workstation-key.create', data: expect.objectContaining({ fingerprint: first.fingerprint }) })]);
});

it('evidence export writes a bundle that evidence verify accepts; --tar writes the archive too', async () => {
  const out = path.join(tmp, 'bundle');
  const r = await runCli(['evidence', 'export', '--operation', String(world.installOperationId), '--out', out, '--tar', '--data-dir', world.dataDir, '--json']);
  expect(r.exitCode, r.stdout + r.stderr).toBe(0);
  const exported = JSON.parse(r.stdout).export;
  expect(exported).toMatchObject({ outDir: out, tarPath: `${out}.tar`, operationId: world.installOperationId, workstationFingerprint: world.key.fingerprint, verdict: { status: 'pass' } });
  expect(fs.existsSync(`${out}.tar`)).toBe(true);
  const v = await runCli(['evidence', 'verify', out, '--key', world.key.publicKeyPath, '--data-dir', world.dataDir]);
  expect(v.exitCode).toBe(0);
  expect(v.stdout).toContain('checks out');
  expect(v.stdout).toContain('(matches --key)');
  const text = await runCli(['evidence', 'export', '--operation', String(world.importOperationId), '--out', path.join(tmp, 'bundle-text'), '--data-dir', world.dataDir]);
  expect(text.stdout).toMatch(/OK {2}evidence for import operation \d+ written to/);
});

it('fails with clear codes: output exists, unknown operation, edited bundle, bad arguments', async () => {
  const busy = path.join(tmp, 'busy');
  fs.mkdirSync(busy);
  fs.writeFileSync(path.join(busy, 'x'), 'x');
  const exists = await runCli(['evidence', 'export', '--out', busy, '--data-dir', world.dataDir, '--json']);
  expect(exists.exitCode).toBe(1);
  expect(JSON.parse(exists.stdout).error).toMatchObject({ code: 'OUTPUT_EXISTS', path: busy });
  const missing = await runCli(['evidence', 'export', '--operation', '9999', '--out', path.join(tmp, 'nope'), '--data-dir', world.dataDir, '--json']);
  expect(JSON.parse(missing.stdout).error.code).toBe('OPERATION_NOT_FOUND');
  expect(fs.existsSync(path.join(tmp, 'nope'))).toBe(false);

  const out = path.join(tmp, 'to-edit');
  expect((await runCli(['evidence', 'export', '--operation', String(world.importOperationId), '--out', out, '--data-dir', world.dataDir])).exitCode).toBe(0);
  fs.appendFileSync(path.join(out, 'operation.json'), ' ');
  const bad = await runCli(['evidence', 'verify', out, '--json']);
  expect(bad.exitCode).toBe(1);
  expect(JSON.parse(bad.stdout).error).toMatchObject({ code: 'EVIDENCE_INVALID', path: 'operation.json' });

  expect((await runCli(['evidence', 'export', '--data-dir', world.dataDir])).exitCode).toBe(2);
  expect((await runCli(['evidence', 'export', '--out', path.join(tmp, 'z'), '--operation', 'latest', '--data-dir', world.dataDir])).exitCode).toBe(2);
  expect((await runCli(['evidence', 'verify', path.join(tmp, 'no-such-bundle'), '--json'])).exitCode).toBe(1);
});
