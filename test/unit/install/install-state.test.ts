import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InstallLayout } from '../../../electron/core/install/install-layout.ts';
import {
  DEFAULT_KEEP, STATE_SCHEMA, nextActivationSeq, readInstallConfig, readInstallState, releasesToPrune, rollbackTarget, writeInstallState,
  type InstallState, type RetainedRelease,
} from '../../../electron/core/install/install-state.ts';
import { JOURNAL_SCHEMA, readJournal, removeJournal, writeJournal, type InstallJournal } from '../../../electron/core/install/install-journal.ts';

const rel = (version: string, seq: number): RetainedRelease => ({
  version, sumsSha256: 'aa', signerId: 'fp', trustPublisher: 'p', installedAt: 't', activatedAt: `2026-01-0${seq}T00:00:00Z`, activationSeq: seq, leftBackup: null,
});
const state = (...releases: RetainedRelease[]): InstallState => ({ schema: STATE_SCHEMA, name: 'notes', dataDir: '/d', releases });

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-state-'));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('retention', () => {
  const s = state(rel('1.0.0', 1), rel('1.1.0', 2), rel('1.2.0', 3), rel('1.3.0', 4));

  it('prunes the least recently active beyond keep', () => {
    expect(releasesToPrune(s, '1.3.0', 3).map((r) => r.version)).toEqual(['1.0.0']);
    expect(releasesToPrune(s, '1.3.0', 2).map((r) => r.version)).toEqual(['1.1.0', '1.0.0']);
    expect(releasesToPrune(s, '1.3.0', 10)).toEqual([]);
  });

  it('never prunes the active release or the rollback target, even with keep 1', () => {
    expect(rollbackTarget(s, '1.3.0')?.version).toBe('1.2.0');
    expect(releasesToPrune(s, '1.3.0', 1).map((r) => r.version)).toEqual(['1.1.0', '1.0.0']);
    // After a rollback to 1.1.0 (now the most recent activation), 1.3.0 is the target.
    const back = state(rel('1.0.0', 1), rel('1.1.0', 5), rel('1.2.0', 3), rel('1.3.0', 4));
    expect(rollbackTarget(back, '1.1.0')?.version).toBe('1.3.0');
    expect(releasesToPrune(back, '1.1.0', 1).map((r) => r.version)).toEqual(['1.2.0', '1.0.0']);
    expect(nextActivationSeq(back)).toBe(6);
    expect(nextActivationSeq(undefined)).toBe(1);
  });
});

describe('state, config and journal files', () => {
  it('round-trips state.json and reads the keep setting', () => {
    const layout = new InstallLayout(tmp);
    expect(readInstallState(layout)).toBeUndefined();
    writeInstallState(layout, state(rel('1.0.0', 1)));
    expect(readInstallState(layout)?.releases.map((r) => r.version)).toEqual(['1.0.0']);
    expect(readInstallConfig(layout)).toEqual({ keep: DEFAULT_KEEP });
    fs.writeFileSync(layout.configFile, '{"keep": 5}');
    expect(readInstallConfig(layout)).toEqual({ keep: 5 });
    fs.writeFileSync(layout.configFile, '{"keep": 0}');
    expect(() => readInstallConfig(layout)).toThrow(expect.objectContaining({ code: 'INSTALL_ROOT_INVALID', field: 'keep' }));
    fs.writeFileSync(layout.stateFile, '{"schema":"other"}');
    expect(() => readInstallState(layout)).toThrow(expect.objectContaining({ code: 'INSTALL_ROOT_INVALID' }));
  });

  it('writes the journal atomically (no temp file left) and refuses one it cannot read', () => {
    const layout = new InstallLayout(tmp);
    const journal: InstallJournal = {
      schema: JOURNAL_SCHEMA, operationId: 3, type: 'install', kind: 'upgrade', name: 'notes', dataDir: '/d', from: '1.0.0', to: '1.1.0',
      startedAt: 't', pid: 1, host: 'h', phase: 'backed-up', backups: [], release: { partial: null, aside: null, placed: false }, restoring: null, commit: null, failure: null,
    };
    writeJournal(layout, journal);
    expect(fs.readdirSync(layout.stateDir)).toEqual(['journal.json']);
    expect(readJournal(layout)).toEqual(journal);
    fs.writeFileSync(layout.journalFile, '{"schema":"airlock.install-journal/v1","operationId":3,"phase":"dancing","backups":[]}');
    expect(() => readJournal(layout)).toThrow(expect.objectContaining({ code: 'INSTALL_ROOT_INVALID' }));
    fs.writeFileSync(layout.journalFile, '{"trunc');
    expect(() => readJournal(layout)).toThrow(/not valid JSON/);
    removeJournal(layout);
    expect(readJournal(layout)).toBeUndefined();
  });

  it('classifies what lives under releases/', () => {
    expect(InstallLayout.classifyReleaseEntry('1.2.0')).toEqual({ kind: 'release', version: '1.2.0' });
    expect(InstallLayout.classifyReleaseEntry('1.2.0-rc.1~partial-14')).toEqual({ kind: 'partial', version: '1.2.0-rc.1', operationId: 14 });
    expect(InstallLayout.classifyReleaseEntry('1.2.0~aside-3')).toEqual({ kind: 'aside', version: '1.2.0', operationId: 3 });
    expect(InstallLayout.classifyReleaseEntry('1.2.0-rc.1.partial-14')).toEqual({ kind: 'release', version: '1.2.0-rc.1.partial-14' });
    expect(InstallLayout.classifyReleaseEntry('notes.txt')).toEqual({ kind: 'other' });
  });
});
