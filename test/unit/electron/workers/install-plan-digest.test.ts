import { describe, expect, it } from 'vitest';
import type { InstallPlan } from '../../../../electron/core/install/install-types.ts';
import { installPlanDigest } from '../../../../electron/workers/install-plan-digest.ts';
import { stepsOf } from '../../../../electron/workers/operation-steps.ts';

function plan(): InstallPlan {
  return {
    schema: 'airlock.install-plan/v1',
    root: '/srv/notes',
    name: 'notes',
    kind: 'upgrade',
    from: { version: '1.0.0', sumsSha256: 'a'.repeat(64) },
    to: { name: 'notes', version: '2.0.0', sumsSha256: 'b'.repeat(64), channel: 'stable', publisher: null, trustPublisher: 'Notes Inc', signer: { kind: 'key', keyHint: 'x', fingerprint: 'c'.repeat(64) } },
    files: { added: ['a'], changed: [], removed: [], unchanged: 1, total: 2, bytes: 10, basis: 'x', reuse: false },
    images: [],
    databases: [],
    migrations: [{ id: '0003', database: 'main', path: 'm.sql', sha256: 'd'.repeat(64), markedDestructive: true, findings: [], action: 'apply', statements: 1 }],
    destructive: { present: true, permitted: true, needsConfirmation: true },
    health: [],
    disk: { path: '/srv', neededBytes: 10, freeBytes: 1000, basis: 'x' },
    preflight: { verdict: 'pass', report: { checks: [] } as unknown as InstallPlan['preflight']['report'] },
    retention: { keep: 3, wouldPrune: [] },
    warnings: [{ code: 'DESTRUCTIVE_MIGRATION', message: 'x' }],
    blockers: [],
  };
}

describe('install plan digest', () => {
  it('names what the admin confirms: it moves with the migrations and their destructive flags, not with free space or wording', () => {
    const base = installPlanDigest(plan());
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    const moved = plan();
    moved.disk.freeBytes = 5;
    moved.warnings[0]!.message = 'other words';
    expect(installPlanDigest(moved)).toBe(base);
    const migration = plan();
    migration.migrations[0]!.sha256 = 'e'.repeat(64);
    expect(installPlanDigest(migration)).not.toBe(base);
    const unconfirmed = plan();
    unconfirmed.destructive.needsConfirmation = false;
    expect(installPlanDigest(unconfirmed)).not.toBe(base);
  });
});

describe('recorded steps for the window', () => {
  it('lists the recorded steps, then the ones to come: pending while running, not run once an earlier step failed', () => {
    const recorded = { steps: [{ name: 'backup', outcome: 'succeeded', startedAt: 't1', endedAt: 't2', detail: 'main: sha256 x' }, { name: 'materialize', outcome: 'running', startedAt: 't3', endedAt: null }] };
    expect(stepsOf(recorded, true, 'install').map((s) => [s.name, s.outcome])).toEqual([
      ['backup', 'succeeded'], ['materialize', 'running'], ['migrate', 'pending'], ['switch', 'pending'], ['health', 'pending'], ['commit', 'pending'],
    ]);
    const failed = { steps: [{ name: 'backup', outcome: 'failed', startedAt: 't1', endedAt: 't2', error: { code: 'BACKUP_FAILED', message: 'disk full' } }, { name: 'rollback', outcome: 'succeeded', startedAt: 't3', endedAt: 't4' }] };
    const steps = stepsOf(failed, false, 'rollback');
    expect(steps[0]).toMatchObject({ name: 'backup', outcome: 'failed', error: { code: 'BACKUP_FAILED', message: 'disk full' } });
    expect(steps.map((s) => [s.name, s.outcome])).toEqual([['backup', 'failed'], ['rollback', 'succeeded'], ['restore', 'skipped'], ['switch', 'skipped'], ['health', 'skipped'], ['commit', 'skipped']]);
  });
});
