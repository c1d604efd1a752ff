import { describe, expect, it } from 'vitest';
import { needsAcknowledgement, preflightReportSchema, SUPPORT_MATRIX, verdictOf, type PreflightReport } from '../../../shared/preflight.ts';
import { PLATFORM_OSES } from '../../../shared/kit-manifest.ts';
import { createHostProbe } from '../../../electron/core/preflight/host-probe.ts';
import { PreflightService } from '../../../electron/core/preflight/preflight-service.ts';
import { BUILD_DATE, linuxHost } from './fixture-host.ts';

async function sample(): Promise<PreflightReport> {
  const deps = linuxHost('rhel-9.4');
  return new PreflightService({ probe: createHostProbe(deps), clock: deps.clock, buildDate: BUILD_DATE }).run({ installRoot: '/opt/app', dataDir: '/var/lib/airlock' });
}

describe('verdict', () => {
  it('is fail on any fail, else warn on any warn, else pass; skips do not count', () => {
    expect(verdictOf([])).toBe('pass');
    expect(verdictOf([{ status: 'pass' }, { status: 'skip' }])).toBe('pass');
    expect(verdictOf([{ status: 'pass' }, { status: 'warn' }, { status: 'skip' }])).toBe('warn');
    expect(verdictOf([{ status: 'warn' }, { status: 'fail' }])).toBe('fail');
    expect(needsAcknowledgement({ verdict: 'warn' })).toBe(true);
    expect(needsAcknowledgement({ verdict: 'pass' })).toBe(false);
    expect(needsAcknowledgement({ verdict: 'fail' })).toBe(false);
  });
});

describe('preflight report schema', () => {
  it('round-trips a report through JSON, as over IPC', async () => {
    const report = await sample();
    expect(preflightReportSchema.parse(JSON.parse(JSON.stringify(report)))).toEqual(report);
  });

  it('rejects a verdict that disagrees with the checks', async () => {
    const report = await sample();
    const tampered = { ...report, checks: report.checks.map((c, i) => (i === 0 ? { ...c, status: 'fail' } : c)) };
    const result = preflightReportSchema.safeParse(tampered);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['verdict']);
  });

  it('rejects a kit scope without a kit, an unknown check id and an unknown status', async () => {
    const report = await sample();
    expect(preflightReportSchema.safeParse({ ...report, scope: 'kit' }).success).toBe(false);
    expect(preflightReportSchema.safeParse({ ...report, checks: [{ ...report.checks[0], id: 'astrology' }] }).success).toBe(false);
    expect(preflightReportSchema.safeParse({ ...report, checks: [{ ...report.checks[0], status: 'maybe' }], verdict: 'pass' }).success).toBe(false);
  });
});

describe('support matrix', () => {
  it('covers every OS a kit may name, on x64 and arm64, with a package format each', () => {
    expect(SUPPORT_MATRIX.map((p) => p.os).sort()).toEqual([...PLATFORM_OSES].sort());
    for (const p of SUPPORT_MATRIX) {
      expect(p.arch).toEqual(['x64', 'arm64']);
      expect(p.packages.length).toBeGreaterThan(0);
    }
  });
});
