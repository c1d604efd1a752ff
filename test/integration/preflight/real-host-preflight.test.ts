// The real probe on the machine running the tests. Statuses depend on the host,
// so this asserts that the report is well formed and agrees with what the host
// itself says, and that probing leaves no trace.
import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../../electron/cli/main.ts';
import type { CliIo } from '../../../electron/cli/cli-types.ts';
import { UNVERIFIED_MANIFEST_NOTICE } from '../../../electron/cli/commands/preflight.ts';
import { buildKit } from '../../../electron/core/kit/kit-builder.ts';
import { createHostProbe } from '../../../electron/core/preflight/host-probe.ts';
import { createNodeHostProbeDeps } from '../../../electron/core/preflight/node-host-deps.ts';
import { PreflightService } from '../../../electron/core/preflight/preflight-service.ts';
import { loadSigningKey } from '../../../electron/core/trust/sign-blob.ts';
import { CHECK_IDS, preflightReportSchema } from '../../../shared/preflight.ts';
import { writeKeyPair } from '../../helpers/sigstore-keys.ts';

let tmp: string;
beforeEach(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'airlock-preflight-real-'));
});
afterEach(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

/** What /etc/os-release says, read here without the code under test. */
function hostOsRelease(): { id?: string; versionId?: string } {
  try {
    const text = readFileSync('/etc/os-release', 'utf8');
    const get = (key: string): string | undefined => new RegExp(`^${key}=["']?([^"'\\n]*)`, 'm').exec(text)?.[1];
    return { id: get('ID')?.toLowerCase(), versionId: get('VERSION_ID') };
  } catch {
    return {};
  }
}

function io(cwd: string): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) }, stderrIsTTY: false, env: {}, cwd, out, err };
}

describe('the real probe on this machine', () => {
  it('produces a sane, well-formed report and leaves no trace', async () => {
    const dataDir = path.join(tmp, 'data');
    await fs.mkdir(dataDir);
    const deps = createNodeHostProbeDeps();
    const report = await new PreflightService({ probe: createHostProbe(deps), clock: deps.clock }).run({ installRoot: path.join(tmp, 'root'), dataDir });
    expect(preflightReportSchema.parse(report)).toEqual(report);
    expect(report.checks.map((c) => c.id)).toEqual([...CHECK_IDS]);
    expect(report.host.platform).toBe(process.platform);
    expect(report.host.arch).toBe(process.arch);
    expect(report.host.cpus).toBeGreaterThanOrEqual(1);
    expect(report.host.memoryBytes).toBeGreaterThan(0);
    expect(Math.abs(Date.parse(report.host.time) - Date.now())).toBeLessThan(10 * 60 * 1000);
    expect(report.host.dataDir).toMatchObject({ path: dataDir, exists: true, writable: 'yes' });
    expect(report.host.dataDir.freeBytes).toBeGreaterThan(0);
    expect(report.host.installRoot).toMatchObject({ exists: false, probedPath: tmp, writable: 'yes' });
    expect(await fs.readdir(dataDir)).toEqual([]);
    expect(await fs.readdir(tmp)).toEqual(['data']);

    if (process.platform === 'linux') {
      const release = hostOsRelease();
      if (release.id) expect(report.host.os.id).toBe(release.id);
      if (release.id === 'debian' && release.versionId === '12') {
        expect(report.host.os).toMatchObject({ id: 'debian', version: '12' });
        expect(report.checks.find((c) => c.id === 'os')?.status).toBe('pass');
        expect(report.checks.find((c) => c.id === 'os-version')?.status).toBe('pass');
      }
    }
  });
});

describe('airlock preflight (CLI)', () => {
  it('prints one JSON document that parses with the shared schema, with an exit code that follows the verdict', async () => {
    const cli = io(tmp);
    const code = await main(['preflight', '--json', '--data-dir', 'data', '--root', 'root'], cli);
    expect(cli.out).toHaveLength(1);
    const doc = JSON.parse(cli.out[0]!) as { ok: boolean; report: unknown };
    const report = preflightReportSchema.parse(doc.report);
    expect(report.scope).toBe('matrix');
    expect(report.host.dataDir.path).toBe(path.join(tmp, 'data'));
    expect(report.host.installRoot?.path).toBe(path.join(tmp, 'root'));
    expect(code).toBe(report.verdict === 'fail' ? 1 : 0);
    expect(doc.ok).toBe(code === 0);
    expect(await fs.readdir(tmp)).toEqual([]);
  });

  it('prints a table in text mode', async () => {
    const cli = io(tmp);
    await main(['preflight', '--data-dir', tmp], cli);
    const text = cli.out.join('');
    expect(text).toMatch(/^Preflight of /);
    expect(text).toMatch(/^STATUS\s+CHECK\s+OBSERVED\s+EXPECTED$/m);
    expect(text).toMatch(/^Verdict: (PASS|WARN|FAIL) — /m);
  });

  it('reads a real kit\'s kit.json with --kit, says it was not signature-checked, and applies its requires', async () => {
    const input = path.join(tmp, 'in');
    await fs.mkdir(path.join(input, 'payload'), { recursive: true });
    const otherArch = process.arch === 'arm64' ? 'x64' : 'arm64';
    await fs.writeFile(
      path.join(input, 'kit.json'),
      JSON.stringify({ schema: 'airlock.kit/v1', name: 'widget', version: '3.1.0', created: '2026-03-01T08:30:00Z', requires: { arch: [otherArch], fips: 'any' } }),
    );
    await fs.writeFile(path.join(input, 'payload/readme.txt'), 'hello\n');
    const keys = await writeKeyPair(tmp, 'publisher');
    const kitPath = path.join(tmp, 'widget-3.1.0.kit.tar');
    await buildKit({ dir: input, out: kitPath, compress: 'gzip', signingKey: loadSigningKey(await fs.readFile(keys.privatePath, 'utf8'), keys.privatePath) });

    const cli = io(tmp);
    const code = await main(['preflight', '--kit', kitPath, '--data-dir', path.join(tmp, 'data'), '--json'], cli);
    const doc = JSON.parse(cli.out.join('')) as { ok: boolean; report: unknown; notice: string };
    const report = preflightReportSchema.parse(doc.report);
    expect(report.kit).toEqual({ name: 'widget', version: '3.1.0', created: '2026-03-01T08:30:00Z', manifestVerified: false });
    expect(doc.notice).toBe(UNVERIFIED_MANIFEST_NOTICE);
    expect(report.host.medium).toMatchObject({ kind: 'file', path: kitPath });
    expect(report.checks.find((c) => c.id === 'arch')).toMatchObject({ status: 'fail', expected: otherArch });
    expect(code).toBe(1);
    expect(doc.ok).toBe(false);

    const text = io(tmp);
    await main(['preflight', '--kit', kitPath, '--data-dir', path.join(tmp, 'data')], text);
    expect(text.out.join('')).toContain(`  ${UNVERIFIED_MANIFEST_NOTICE}`);
  });

  it('verifies the kit in full first when trust flags are given, and refuses a tampered one', async () => {
    const input = path.join(tmp, 'in');
    await fs.mkdir(path.join(input, 'payload'), { recursive: true });
    await fs.writeFile(path.join(input, 'kit.json'), JSON.stringify({ schema: 'airlock.kit/v1', name: 'widget', version: '3.1.0', created: '2026-03-01T08:30:00Z' }));
    await fs.writeFile(path.join(input, 'payload/readme.txt'), 'hello\n');
    const keys = await writeKeyPair(tmp, 'publisher');
    const kitPath = path.join(tmp, 'widget.kit.tar');
    await buildKit({ dir: input, out: kitPath, compress: 'none', signingKey: loadSigningKey(await fs.readFile(keys.privatePath, 'utf8'), keys.privatePath) });

    const ok = io(tmp);
    await main(['preflight', '--kit', kitPath, '--key', keys.publicPath, '--data-dir', path.join(tmp, 'data'), '--json'], ok);
    const doc = JSON.parse(ok.out.join('')) as { report: unknown; notice?: string };
    expect(preflightReportSchema.parse(doc.report).kit?.manifestVerified).toBe(true);
    expect(doc.notice).toBeUndefined();

    // Same length, one byte of the payload changed: the signature still holds but the digest does not.
    const bytes = await fs.readFile(kitPath);
    const at = bytes.indexOf('hello\n');
    bytes[at] = 'j'.charCodeAt(0);
    await fs.writeFile(kitPath, bytes);
    const bad = io(tmp);
    const code = await main(['preflight', '--kit', kitPath, '--key', keys.publicPath, '--data-dir', path.join(tmp, 'data'), '--json'], bad);
    expect(JSON.parse(bad.out.join(''))).toMatchObject({ ok: false, error: { code: 'KIT_DIGEST_MISMATCH', path: 'payload/readme.txt' } });
    expect(code).toBe(1);
  });

  it('refuses trust flags without --kit as a usage error', async () => {
    const cli = io(tmp);
    expect(await main(['preflight', '--key', 'x.pem', '--data-dir', tmp], cli)).toBe(2);
  });

  it('fails with the kit error code when --kit names nothing', async () => {
    const cli = io(tmp);
    const code = await main(['preflight', '--kit', 'missing.kit.tar', '--data-dir', tmp, '--json'], cli);
    const doc = JSON.parse(cli.out.join('')) as { ok: boolean; error: { code: string } };
    expect(doc.ok).toBe(false);
    expect(doc.error.code).toBe('KIT_NOT_FOUND');
    expect(code).toBe(1);
  });

  it('takes an imported release as NAME@VERSION, verified at import, and records the run in the audit chain', async () => {
    const input = path.join(tmp, 'in');
    await fs.mkdir(path.join(input, 'payload'), { recursive: true });
    const otherArch = process.arch === 'arm64' ? 'x64' : 'arm64';
    await fs.writeFile(path.join(input, 'kit.json'), JSON.stringify({ schema: 'airlock.kit/v1', name: 'widget', version: '3.1.0', created: '2026-03-01T08:30:00Z', requires: { arch: [otherArch] } }));
    await fs.writeFile(path.join(input, 'payload/readme.txt'), 'hello\n');
    const keys = await writeKeyPair(tmp, 'publisher');
    const kitPath = path.join(tmp, 'widget.kit.tar');
    await buildKit({ dir: input, out: kitPath, compress: 'none', signingKey: loadSigningKey(await fs.readFile(keys.privatePath, 'utf8'), keys.privatePath) });
    const dataDir = path.join(tmp, 'data');

    // Before anything is imported: not found, and no catalog is created to say so.
    const missing = io(tmp);
    expect(await main(['preflight', 'widget@3.1.0', '--data-dir', dataDir, '--json'], missing)).toBe(1);
    expect(JSON.parse(missing.out.join(''))).toMatchObject({ ok: false, error: { code: 'RELEASE_NOT_FOUND' } });
    await expect(fs.access(path.join(dataDir, 'catalog.db'))).rejects.toThrow();

    expect(await main(['kit', 'import', kitPath, '--key', keys.publicPath, '--data-dir', dataDir], io(tmp))).toBe(0);
    const cli = io(tmp);
    const code = await main(['preflight', 'widget@3.1.0', '--data-dir', dataDir, '--json'], cli);
    const doc = JSON.parse(cli.out.join('')) as { report: unknown; notice?: string };
    const report = preflightReportSchema.parse(doc.report);
    expect(report.kit).toEqual({ name: 'widget', version: '3.1.0', created: '2026-03-01T08:30:00Z', manifestVerified: true });
    expect(doc.notice).toBeUndefined();
    expect(report.checks.find((c) => c.id === 'arch')).toMatchObject({ status: 'fail', expected: otherArch });
    expect(code).toBe(1);

    const audit = io(tmp);
    expect(await main(['audit', 'list', '--data-dir', dataDir, '--json'], audit)).toBe(0);
    const records = (JSON.parse(audit.out.join('')) as { records: Array<{ type: string; data: { verdict?: string } }> }).records;
    expect(records.filter((r) => r.type === 'preflight.run').map((r) => r.data.verdict)).toEqual(['fail']);
  });

  it('rejects a malformed release, or a release together with --kit, as usage errors', async () => {
    expect(await main(['preflight', 'widget', '--data-dir', tmp], io(tmp))).toBe(2);
    expect(await main(['preflight', 'widget@3.1.0', '--kit', 'x.kit.tar', '--data-dir', tmp], io(tmp))).toBe(2);
    expect(await main(['preflight', 'a@1.0.0', 'b@1.0.0', '--data-dir', tmp], io(tmp))).toBe(2);
  });
});
