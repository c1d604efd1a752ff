import { TRUST_USAGE } from '../../../electron/cli/trust-flags.ts';
import { describe, expect, it } from 'vitest';
import type { CommandContext } from '../../../electron/cli/cli-types.ts';
import { createPreflightCommand, preflightText, UNVERIFIED_MANIFEST_NOTICE } from '../../../electron/cli/commands/preflight.ts';
import { createHostProbe } from '../../../electron/core/preflight/host-probe.ts';
import { PreflightService } from '../../../electron/core/preflight/preflight-service.ts';
import { preflightReportSchema } from '../../../shared/preflight.ts';
import { BUILD_DATE, GiB, linuxHost, manifest, windowsHost } from './fixture-host.ts';

function ctx(options: Record<string, string | boolean | undefined>, json = false, dataDir = '/var/lib/airlock'): CommandContext {
  return {
    options,
    positionals: [],
    io: { stdout: { write: () => true }, stderr: { write: () => true }, stderrIsTTY: false, env: {}, cwd: '/' },
    json,
    dataDir,
    progress: () => undefined,
    signal: new AbortController().signal,
    resolvePath: (p) => p,
  };
}

describe('preflight text output', () => {
  it('prints a table of every check, remedies for the rows that need action, and the verdict', async () => {
    const deps = linuxHost('rhel-9.4', { files: { '/sys/fs/selinux/enforce': '0' }, os: { totalMemoryBytes: 4 * GiB } });
    const report = await new PreflightService({ probe: createHostProbe(deps), clock: deps.clock, buildDate: BUILD_DATE }).run({
      manifest: manifest({ memoryBytes: 8 * GiB }),
      installRoot: '/opt/app',
      dataDir: '/var/lib/airlock',
    });
    const text = preflightText(report);
    const lines = text.split('\n');
    expect(lines[0]).toBe('Preflight of Red Hat Enterprise Linux 9.4 (Plow), x64, 4 CPUs, 4.0 GiB memory');
    expect(text).toContain('Against kit app 1.2.0 (created 2026-10-01T12:00:00Z)');
    expect(text).toContain(UNVERIFIED_MANIFEST_NOTICE);
    expect(lines.find((l) => l.startsWith('STATUS'))).toMatch(/^STATUS\s+CHECK\s+OBSERVED\s+EXPECTED$/);
    for (const c of report.checks) expect(lines.some((l) => l.startsWith(`${c.status.toUpperCase().padEnd(6)}  ${c.title}`)), c.id).toBe(true);
    expect(text).toMatch(/^ {2}FAIL Memory: The kit needs 8\.0 GiB of memory/m);
    expect(text).toMatch(/^ {2}WARN SELinux: SELinux only logs/m);
    expect(text).not.toMatch(/^ {2}PASS /m);
    expect(lines.at(-1)).toBe('Verdict: FAIL — 1 check(s) block the install; fix them and run preflight again.');
  });

  it('keeps table rows within their columns by wrapping long cells', async () => {
    const deps = linuxHost('debian-12');
    const report = await new PreflightService({ probe: createHostProbe(deps), clock: deps.clock, buildDate: BUILD_DATE }).run({ dataDir: '/var/lib/airlock' });
    const table = preflightText(report).split('\n').filter((l) => /^(PASS|WARN|FAIL|SKIP| {6}) {2}/.test(l));
    expect(table.length).toBeGreaterThan(report.checks.length);
    for (const line of table) expect(line.length).toBeLessThanOrEqual(6 + 2 + 34 + 2 + 44 + 2 + 48);
    expect(preflightText(report)).toContain('Against every OS Airlock supports (no kit given)');
    expect(preflightText(report).split('\n').at(-1)).toBe('Verdict: PASS — this host meets every requirement.');
  });
});

describe('preflight command against fixture hosts', () => {
  it('exits 1 with a fail verdict (Fedora is not supported) and returns the report for --json', async () => {
    const command = createPreflightCommand({ makeDeps: () => linuxHost('fedora-40'), buildDate: BUILD_DATE });
    const out = await command.run(ctx({ root: '/opt/app' }, true));
    expect(out.exitCode).toBe(1);
    const report = preflightReportSchema.parse(out.json.report);
    expect(report.verdict).toBe('fail');
    expect(report.host.installRoot?.path).toBe('/opt/app');
    expect(out.text).toContain('FAIL    Operating system');
  });

  it('exits 0 with warnings, which only need acknowledging', async () => {
    const command = createPreflightCommand({ makeDeps: () => windowsHost('win11-22631-pro'), buildDate: BUILD_DATE });
    const out = await command.run(ctx({}, false, 'C:\\Users\\admin\\AppData\\Roaming\\Airlock'));
    expect(out.exitCode).toBe(0);
    expect(preflightReportSchema.parse(out.json.report).verdict).toBe('warn');
    expect(out.json.notice).toBeUndefined();
    expect(out.text).toMatch(/Verdict: WARN — 1 warning\(s\) to acknowledge/);
  });

  it('offers NAME@VERSION or --kit (with optional trust flags), and --root', () => {
    const command = createPreflightCommand();
    expect(command.words).toEqual(['preflight']);
    expect(Object.keys(command.options).sort()).toEqual(['identity', 'issuer', 'key', 'kit', 'policy', 'root', 'trusted-root']);
    expect(command.positionals).toEqual({ min: 0, max: 1 });
    expect(command.usage).toBe(`preflight [NAME@VERSION | --kit KIT [${TRUST_USAGE}]] [--root DIR] [--json]`);
  });
});
