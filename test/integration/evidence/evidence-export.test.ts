// Evidence bundles end to end: a real imported kit plus recorded install,
// rollback and failed operations, exported, read back with poppler and
// coreutils/openssl (no Airlock), re-checked by `evidence verify`, and
// tampered with file by file.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AirlockError } from '../../../shared/airlock-error.ts';
import { openAuditLog } from '../../../electron/core/evidence/audit-catalog.ts';
import { verifyEvidence } from '../../../electron/core/evidence/evidence-verifier.ts';
import { loadOrCreateWorkstationKey } from '../../../electron/core/evidence/workstation-key.ts';
import { signMessageBundle, loadSigningKey } from '../../../electron/core/trust/sign-blob.ts';
import { makeP256KeyPair } from '../../helpers/sigstore-keys.ts';
import { runCli } from '../trust/cli-run.ts';
import { exportWorld, makeEvidenceWorld, readBundle, type EvidenceWorld } from './evidence-fixtures.ts';

let tmp: string;
let world: EvidenceWorld;
const out: Record<'import' | 'install' | 'rollback' | 'failed', string> = { import: '', install: '', rollback: '', failed: '' };

function pdftotext(pdf: string): string {
  return execFileSync('pdftotext', ['-enc', 'UTF-8', pdf, '-'], { encoding: 'utf8' });
}
const flat = (s: string): string => s.replace(/\s+/g, ' ');
const sha = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

async function expectInvalid(dir: string, file: string, options: Parameters<typeof verifyEvidence>[1] = {}): Promise<AirlockError> {
  let error: unknown;
  try {
    await verifyEvidence(dir, options);
  } catch (e) {
    error = e;
  }
  expect(error, `verify of ${dir} should fail naming ${file}`).toBeInstanceOf(AirlockError);
  const e = error as AirlockError;
  expect(e.code).toBe('EVIDENCE_INVALID');
  expect(e.path).toBe(file);
  expect(e.message).toContain(file);
  return e;
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-evidence-'));
  world = await makeEvidenceWorld(tmp);
  out.import = path.join(tmp, 'ev-import');
  out.install = path.join(tmp, 'ev-install');
  out.rollback = path.join(tmp, 'ev-rollback');
  out.failed = path.join(tmp, 'ev-failed');
  await exportWorld(world, { operationId: world.importOperationId, outDir: out.import });
  await exportWorld(world, { operationId: world.installOperationId, outDir: out.install });
  await exportWorld(world, { operationId: world.rollbackOperationId, outDir: out.rollback });
  await exportWorld(world, { operationId: world.failedOperationId, outDir: out.failed });
});

afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('bundle contents', () => {
  it('an import bundle holds the kit\'s signed root files byte for byte, and the JSON records', () => {
    const b = readBundle(out.import);
    expect(Object.keys(b)).toEqual([
      'EVIDENCE.SHA256SUMS', 'EVIDENCE.SHA256SUMS.sigstore.json', 'SHA256SUMS', 'SHA256SUMS.sigstore.json', 'audit.jsonl', 'kit.json',
      'manifest.json', 'operation.json', 'report.pdf', 'verification.json', 'workstation.pub.pem',
    ]);
    const manifest = JSON.parse(b['manifest.json']!.toString());
    expect(manifest).toMatchObject({
      schema: 'airlock.evidence/v1',
      airlock: { version: '0.1.0' },
      operation: { id: world.importOperationId, type: 'import', status: 'succeeded' },
      operator: { actor: 'alice', host: 'ws-enclave-07' },
      kit: { name: 'demo', version: '1.0.0', sumsSha256: sha(b.SHA256SUMS!) },
      signer: { kind: 'key', fingerprint: world.env.key.fingerprint },
      verdict: { status: 'pass' },
      workstationKey: { fingerprint: world.key.fingerprint, file: 'workstation.pub.pem' },
    });
    expect(manifest.sections.filter((s: { included: boolean }) => !s.included).map((s: { file: string; note: string }) => [s.file, s.note])).toEqual([
      ['preflight.json', 'No preflight was recorded with this operation.'],
      ['migrations.json', 'No migrations in this operation (the kit ships 2; they run at install).'],
      ['rollback.json', 'No rollback in this operation.'],
    ]);
    const verification = JSON.parse(b['verification.json']!.toString());
    expect(verification.sha256).toEqual({ 'SHA256SUMS': sha(b.SHA256SUMS!), 'SHA256SUMS.sigstore.json': sha(b['SHA256SUMS.sigstore.json']!), 'kit.json': sha(b['kit.json']!) });
    expect(verification.files).toMatchObject({ listedInSha256Sums: b.SHA256SUMS!.toString().trimEnd().split('\n').length, mismatched: 0, missing: 0, unlisted: 0 });
    expect(verification.signature.signer.fingerprint).toBe(world.env.key.fingerprint);
    expect(verification.images[0].ref).toMatch(/collector-agent:1\.2\.3/);
    // The audit slice: a header, then the operation's records with their hashes.
    const lines = b['audit.jsonl']!.toString().trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ schema: 'airlock.audit-slice/v1', operationId: world.importOperationId, check: { ok: true } });
    expect(lines.slice(1).every((r: { operationId: number }) => r.operationId === world.importOperationId)).toBe(true);
    expect(lines[0].head).toEqual({ seq: lines.at(-1).seq, hash: lines.at(-1).hash });
    expect(manifest.audit.head).toEqual(lines[0].head);
  });

  it('an install bundle adds operation steps, preflight, migrations and backups', () => {
    const b = readBundle(out.install);
    expect(Object.keys(b)).toEqual(expect.arrayContaining(['preflight.json', 'migrations.json', 'operation.json']));
    expect(b['rollback.json']).toBeUndefined();
    const op = JSON.parse(b['operation.json']!.toString());
    expect(op.steps.map((s: { name: string }) => s.name)).toEqual(['plan', 'backup', 'activate', 'migrate', 'health', 'commit']);
    expect(op.steps[1]).toMatchObject({ startedAt: '2026-03-02T09:00:01.000Z', endedAt: '2026-03-02T09:00:03.000Z', outcome: 'succeeded' });
    expect(JSON.parse(b['migrations.json']!.toString()).migrations).toEqual([
      { id: '0001_init', database: 'main', sha256: 'a'.repeat(64), backupSha256: 'c'.repeat(64), outcome: 'applied' },
      { id: '0002_more', database: 'main', sha256: 'b'.repeat(64), backupSha256: 'c'.repeat(64), outcome: 'applied' },
    ]);
    expect(JSON.parse(b['preflight.json']!.toString()).verdict).toBe('warn');
  });

  it('a failed import without a release says which sections do not apply instead of inventing them', () => {
    const b = readBundle(out.failed);
    expect(Object.keys(b)).toEqual(['EVIDENCE.SHA256SUMS', 'EVIDENCE.SHA256SUMS.sigstore.json', 'audit.jsonl', 'manifest.json', 'operation.json', 'report.pdf', 'workstation.pub.pem']);
    const manifest = JSON.parse(b['manifest.json']!.toString());
    expect(manifest.kit).toBeNull();
    expect(manifest.verdict.status).toBe('fail');
    expect(manifest.verdict.reasons[0]).toContain('KIT_DIGEST_MISMATCH');
    const text = flat(pdftotext(path.join(out.failed, 'report.pdf')));
    expect(text).toContain('Verdict: FAIL');
    expect(text).toContain('No release is recorded for this operation');
    expect(text).toContain('No migrations in this operation.');
    expect(text).toContain('No rollback in this operation.');
    expect(text).toContain('No preflight was recorded with this operation.');
  });
});

describe('report.pdf', () => {
  it('shows every field the auditor asks for (pdftotext)', () => {
    const b = readBundle(out.install);
    const manifest = JSON.parse(b['manifest.json']!.toString());
    const verification = JSON.parse(b['verification.json']!.toString());
    const text = flat(pdftotext(path.join(out.install, 'report.pdf')));
    const fields = [
      'Verdict: PASS',
      `PASS: install operation ${world.installOperationId} (demo@1.0.0)`,
      // kit identity
      'demo@1.0.0', 'Registry test publisher', '2026-02-01T10:00:00Z', 'stable',
      // signer
      world.env.key.fingerprint, world.env.key.keyHint, 'cli-keys',
      // digest table
      `sha256:${verification.sha256.SHA256SUMS}`, `sha256:${verification.sha256['SHA256SUMS.sigstore.json']}`, `sha256:${verification.sha256['kit.json']}`,
      `Files listed in SHA256SUMS ${verification.files.listedInSha256Sums}`, `Total bytes ${verification.files.totalBytes}`,
      verification.images[0].digest,
      // preflight table
      'Free space under the install root', 'Free space on /opt or choose another install root before the next upgrade.', 'Rocky Linux 9.4 (Blue Onyx)', 'warn',
      // timeline
      'plan', 'backup', 'activate', 'migrate', 'health', 'commit', '2026-03-02T09:00:01Z', 'SQLite online backup of var/main.db (12288 bytes)',
      // migrations with backup digest
      '0001_init', '0002_more', 'a'.repeat(64), 'b'.repeat(64), 'c'.repeat(64),
      // rollback (does not apply here)
      'No rollback in this operation.',
      // audit chain head, workstation key, operator, host
      `${manifest.audit.head.seq}:${manifest.audit.head.hash}`, world.key.fingerprint, 'alice', 'ws-enclave-07',
    ];
    for (const f of fields) expect(text, f).toContain(f);
    // An image reference too long for its column is wrapped, not cut: every character is there.
    expect(text.replace(/\s/g, '')).toContain(verification.images[0].ref);
    const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [path.join(out.install, 'report.pdf')], { encoding: 'utf8' }))![1]);
    expect(pages).toBeGreaterThanOrEqual(2);
    expect(pages).toBeLessThanOrEqual(8);
    for (let n = 1; n <= pages; n++) expect(text).toContain(`Page ${n} of ${pages}`);
  });

  it('shows the rollback details of a rollback operation', () => {
    const text = flat(pdftotext(path.join(out.rollback, 'report.pdf')));
    for (const f of ['from demo@1.1.0', 'to demo@1.0.0', 'operator request', 'restore-database', 'switch-release', 'c'.repeat(64)]) expect(text, f).toContain(f);
    expect(JSON.parse(fs.readFileSync(path.join(out.rollback, 'rollback.json'), 'utf8'))).toMatchObject({ from: 'demo@1.1.0', to: 'demo@1.0.0' });
  });

  it('embeds its own fonts only and carries recorded dates', () => {
    const pdf = path.join(out.install, 'report.pdf');
    const fonts = execFileSync('pdffonts', [pdf], { encoding: 'utf8' }).trim().split('\n').slice(2);
    expect(fonts.length).toBe(3);
    for (const line of fonts) {
      expect(line).toMatch(/DejaVuSans/);
      expect(line).toMatch(/\byes\s+yes\s+yes\b/);
    }
    const info = execFileSync('pdfinfo', ['-isodates', pdf], { encoding: 'utf8' });
    expect(info).toMatch(/CreationDate:\s+2026-03-02T09:00:09Z/);
  });
});

describe('re-checking without Airlock', () => {
  it('sha256sum -c passes and openssl verifies the workstation signature and the kit signature', () => {
    for (const dir of Object.values(out)) {
      expect(spawnSync('sha256sum', ['--strict', '-c', 'EVIDENCE.SHA256SUMS'], { cwd: dir }).status, dir).toBe(0);
    }
    const dir = out.import;
    const sig = (bundleFile: string): string => {
      const f = path.join(tmp, `${path.basename(bundleFile)}.sig`);
      fs.writeFileSync(f, Buffer.from(JSON.parse(fs.readFileSync(path.join(dir, bundleFile), 'utf8')).messageSignature.signature, 'base64'));
      return f;
    };
    expect(execFileSync('openssl', ['dgst', '-sha256', '-verify', 'workstation.pub.pem', '-signature', sig('EVIDENCE.SHA256SUMS.sigstore.json'), 'EVIDENCE.SHA256SUMS'], { cwd: dir, encoding: 'utf8' })).toMatch(/Verified OK/);
    expect(execFileSync('openssl', ['dgst', '-sha256', '-verify', world.env.publicPath, '-signature', sig('SHA256SUMS.sigstore.json'), 'SHA256SUMS'], { cwd: dir, encoding: 'utf8' })).toMatch(/Verified OK/);
    // kit.json is listed in the kit's own signed SHA256SUMS.
    const line = fs.readFileSync(path.join(dir, 'SHA256SUMS'), 'utf8').split('\n').filter((l) => l.endsWith('  kit.json')).join('\n') + '\n';
    expect(spawnSync('sha256sum', ['-c', '-'], { cwd: dir, input: line }).status).toBe(0);
  });
});

describe('evidence verify', () => {
  it('passes every exported bundle, and re-verifies the kit signature with the publisher key and a pinned workstation key', async () => {
    for (const dir of Object.values(out)) await expect(verifyEvidence(dir)).resolves.toMatchObject({ workstationFingerprint: world.key.fingerprint, workstationKeyPinned: false });
    const r = await runCli(['evidence', 'verify', out.install, '--key', world.key.publicKeyPath, '--kit-key', world.env.publicPath, '--json']);
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout).evidence).toMatchObject({ workstationKeyPinned: true, kit: { signature: 'verified', name: 'demo' }, operation: { type: 'install' } });
  });

  it('fails naming the file after any single file of the bundle is edited', async () => {
    const names = fs.readdirSync(out.install).sort();
    expect(names.length).toBeGreaterThanOrEqual(12);
    for (const name of names) {
      const copy = path.join(tmp, `edit-${name}`);
      fs.cpSync(out.install, copy, { recursive: true });
      const file = path.join(copy, name);
      const bytes = fs.readFileSync(file);
      // Flip one byte in the middle (a change that keeps the length, the hardest to notice).
      const i = Math.floor(bytes.length / 2);
      bytes[i] = bytes[i]! ^ 0x01;
      fs.writeFileSync(file, bytes);
      await expectInvalid(copy, name);
      fs.rmSync(copy, { recursive: true, force: true });
    }
  });

  it('fails naming the file when one is added or removed', async () => {
    const added = path.join(tmp, 'added');
    fs.cpSync(out.import, added, { recursive: true });
    fs.writeFileSync(path.join(added, 'extra.txt'), 'slipped in\n');
    await expectInvalid(added, 'extra.txt');
    fs.mkdirSync(path.join(added, 'sub'));
    fs.rmSync(path.join(added, 'extra.txt'));
    await expectInvalid(added, 'sub');
    for (const name of fs.readdirSync(out.import)) {
      const removed = path.join(tmp, `removed-${name}`);
      fs.cpSync(out.import, removed, { recursive: true });
      fs.rmSync(path.join(removed, name));
      await expectInvalid(removed, name);
      fs.rmSync(removed, { recursive: true, force: true });
    }
  });

  it('a bundle edited and re-signed with another key is caught by the key the report names, and by a pinned key', async () => {
    const forged = path.join(tmp, 'forged');
    fs.cpSync(out.import, forged, { recursive: true });
    const attacker = makP256();
    const manifest = JSON.parse(fs.readFileSync(path.join(forged, 'manifest.json'), 'utf8'));
    manifest.workstationKey.fingerprint = attacker.fingerprint;
    manifest.operator.actor = 'mallory';
    fs.writeFileSync(path.join(forged, 'manifest.json'), JSON.stringify(manifest, null, 2));
    fs.writeFileSync(path.join(forged, 'workstation.pub.pem'), attacker.publicKeyPem);
    resign(forged, attacker);
    await expectInvalid(forged, 'report.pdf');
    await expectInvalid(forged, 'workstation.pub.pem', { pinnedKeyPath: world.key.publicKeyPath });
  });

  it('a whole bundle made with another workstation key verifies on its own, and only pinning the key tells', async () => {
    // The documented limit: a self-consistent bundle proves only that the holder of its key made it.
    const otherKey = loadOrCreateWorkstationKey(path.join(tmp, 'other-workstation'));
    const other = path.join(tmp, 'other-bundle');
    await exportWorld({ ...world, key: otherKey }, { operationId: world.importOperationId, outDir: other });
    await expect(verifyEvidence(other)).resolves.toMatchObject({ workstationFingerprint: otherKey.fingerprint, workstationKeyPinned: false });
    const e = await expectInvalid(other, 'workstation.pub.pem', { pinnedKeyPath: world.key.publicKeyPath });
    expect(e.message).toContain(world.key.fingerprint);
  });

  it('cross-checks the documents even when the file list was re-signed with the real key', async () => {
    const bad = path.join(tmp, 'inconsistent');
    fs.cpSync(out.import, bad, { recursive: true });
    const v = JSON.parse(fs.readFileSync(path.join(bad, 'verification.json'), 'utf8'));
    v.signature.signer.fingerprint = '0'.repeat(64);
    fs.writeFileSync(path.join(bad, 'verification.json'), JSON.stringify(v, null, 2));
    resign(bad, world.key.signingKey);
    await expectInvalid(bad, 'manifest.json');
    fs.rmSync(bad, { recursive: true, force: true });

    fs.cpSync(out.install, bad, { recursive: true });
    const lines = fs.readFileSync(path.join(bad, 'audit.jsonl'), 'utf8').trimEnd().split('\n');
    const rec = JSON.parse(lines[2]!);
    rec.data.outcome = 'failed';
    lines[2] = JSON.stringify(rec);
    fs.writeFileSync(path.join(bad, 'audit.jsonl'), `${lines.join('\n')}\n`);
    resign(bad, world.key.signingKey);
    const e = await expectInvalid(bad, 'audit.jsonl');
    expect(e.message).toMatch(/record \d+ was changed/);
  });
});

function makP256(): ReturnType<typeof loadSigningKey> {
  return loadSigningKey(makeP256KeyPair().privatePem, 'attacker.pem');
}

/** Rewrites EVIDENCE.SHA256SUMS for the folder as it is and signs it with the key. */
function resign(dir: string, key: ReturnType<typeof loadSigningKey>): void {
  const names = fs.readdirSync(dir).filter((n) => !n.startsWith('EVIDENCE.')).sort();
  const sums = names.map((n) => `${sha(fs.readFileSync(path.join(dir, n)))}  ${n}\n`).join('');
  fs.writeFileSync(path.join(dir, 'EVIDENCE.SHA256SUMS'), sums);
  fs.writeFileSync(path.join(dir, 'EVIDENCE.SHA256SUMS.sigstore.json'), JSON.stringify(signMessageBundle(Buffer.from(sums), key)));
}

describe('a broken audit chain', () => {
  it('makes the exported verdict FAIL and names the first bad record', async () => {
    const copy = path.join(tmp, 'tampered-data');
    fs.cpSync(world.dataDir, copy, { recursive: true });
    const audit = openAuditLog(copy);
    const first = audit.log.list({ operationId: world.installOperationId })[0]!;
    audit.db.prepare(`UPDATE audit_events SET data_json = '{"tampered":true}' WHERE seq = ?`).run(first.seq);
    audit.close();
    const dir = path.join(tmp, 'ev-tampered');
    await exportWorld({ ...world, dataDir: copy }, { operationId: world.installOperationId, outDir: dir });
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    expect(manifest.verdict.status).toBe('fail');
    expect(manifest.audit.check).toMatchObject({ ok: false, firstBadSeq: first.seq });
    expect(flat(pdftotext(path.join(dir, 'report.pdf')))).toContain(`The audit chain is broken at record ${first.seq}`);
    // The bundle is an authentic copy of the damaged chain: it verifies, and says what it carries.
    const report = await verifyEvidence(dir);
    expect(report.verdict.status).toBe('fail');
    expect(report.notes.join(' ')).toContain(`record ${first.seq} was changed`);
    // But a bundle that claimed an intact chain over a damaged record is refused.
    const lines = fs.readFileSync(path.join(dir, 'audit.jsonl'), 'utf8').trimEnd().split('\n');
    const header = JSON.parse(lines[0]!);
    header.check = { checkedThrough: header.check.checkedThrough, firstBadSeq: null, ok: true, reason: null };
    lines[0] = JSON.stringify(header);
    fs.writeFileSync(path.join(dir, 'audit.jsonl'), `${lines.join('\n')}\n`);
    resign(dir, world.key.signingKey);
    const e = await expectInvalid(dir, 'audit.jsonl');
    expect(e.message).toContain(`record ${first.seq} was changed`);
  });
});

describe('determinism and output safety', () => {
  it('exporting the same operation twice gives identical bytes except the signature; the export is audited', async () => {
    const again = path.join(tmp, 'again');
    const before = openAuditLog(world.dataDir);
    const headBefore = before.log.head()!;
    before.close();
    const result = await exportWorld(world, { operationId: world.installOperationId, outDir: again, tar: true });
    const a = readBundle(out.install);
    const b = readBundle(again);
    expect(Object.keys(b)).toEqual(Object.keys(a));
    for (const name of Object.keys(a)) {
      if (name === 'EVIDENCE.SHA256SUMS.sigstore.json') expect(b[name]!.equals(a[name]!), name).toBe(false);
      else expect(b[name]!.equals(a[name]!), name).toBe(true);
    }
    // The export's own audit record comes after the operation's, so it changes nothing in the bundle.
    const audit = openAuditLog(world.dataDir);
    const rec = audit.log.get(headBefore.seq + 1);
    audit.close();
    expect(rec).toMatchObject({ type: 'evidence.export', operationId: null, data: { exportedOperationId: world.installOperationId, evidenceSumsSha256: result.evidenceSumsSha256 } });
    // The tar holds exactly the folder's files.
    const listing = execFileSync('tar', ['-tf', `${again}.tar`], { encoding: 'utf8' }).trim().split('\n');
    expect(listing.sort()).toEqual(Object.keys(b).sort());
    const unpacked = path.join(tmp, 'unpacked');
    fs.mkdirSync(unpacked);
    execFileSync('tar', ['-xf', `${again}.tar`, '-C', unpacked]);
    await expect(verifyEvidence(unpacked)).resolves.toMatchObject({ operation: { id: world.installOperationId } });
  });

  it('refuses a non-empty output folder and writes nothing, anywhere', async () => {
    const target = path.join(tmp, 'busy');
    fs.mkdirSync(target);
    fs.writeFileSync(path.join(target, 'keep.txt'), 'mine');
    const siblings = fs.readdirSync(tmp).sort();
    const audit = openAuditLog(world.dataDir);
    const head = audit.log.head();
    audit.close();
    await expect(exportWorld(world, { outDir: target })).rejects.toMatchObject({ code: 'OUTPUT_EXISTS', path: target });
    expect(fs.readdirSync(target)).toEqual(['keep.txt']);
    expect(fs.readdirSync(tmp).sort()).toEqual(siblings);
    const after = openAuditLog(world.dataDir);
    expect(after.log.head()).toEqual(head);
    after.close();
    // An empty folder is fine.
    const empty = path.join(tmp, 'empty');
    fs.mkdirSync(empty);
    await expect(exportWorld(world, { operationId: world.failedOperationId, outDir: empty })).resolves.toMatchObject({ operationId: world.failedOperationId });
  });

  it('without --operation exports the latest finished operation', async () => {
    const latest = path.join(tmp, 'latest');
    const r = await exportWorld(world, { outDir: latest });
    expect(r.operationId).toBe(world.failedOperationId);
    await expect(exportWorld(world, { operationId: 999, outDir: path.join(tmp, 'none') })).rejects.toMatchObject({ code: 'OPERATION_NOT_FOUND' });
  });
});
