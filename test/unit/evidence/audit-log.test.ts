import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openCatalogDb, type CatalogDb } from '../../../electron/core/db/catalog-db.ts';
import {
  AUDIT_GENESIS_HASH, AuditLog, auditRecordHash, defaultAuditIdentity, verifyAuditRecords, type AuditRecord,
} from '../../../electron/core/evidence/audit-log.ts';

let tmp: string;
let db: CatalogDb;
let tick: number;
let log: AuditLog;

const clock = (): Date => new Date(Date.UTC(2026, 2, 1, 10, 0, tick++));

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-audit-'));
  db = openCatalogDb(path.join(tmp, 'catalog.db'));
  tick = 0;
  log = new AuditLog(db, { clock, actor: 'alice', host: 'ws1' });
});
afterEach(() => {
  db.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

function appendFive(): AuditRecord[] {
  return [1, 2, 3, 4, 5].map((i) => log.append({ type: i % 2 ? 'kit.verify' : 'kit.import', operationId: i <= 3 ? 7 : 8, data: { i, kit: 'demo@1.0.0' } }));
}

describe('append', () => {
  it('numbers records from 1, links each to the one before and hashes the canonical record', () => {
    const [a, b] = [log.append({ type: 'kit.verify', data: { z: 1, a: 'x' } }), log.append({ type: 'kit.import', operationId: 4, data: {} })];
    expect(a).toEqual({
      seq: 1, time: '2026-03-01T10:00:00.000Z', actor: 'alice', host: 'ws1', type: 'kit.verify', operationId: null,
      data: { a: 'x', z: 1 }, prevHash: AUDIT_GENESIS_HASH, hash: a.hash,
    });
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(b.seq).toBe(2);
    expect(b.prevHash).toBe(a.hash);
    expect(b.operationId).toBe(4);
    // The hash is over the canonical JSON of exactly these fields, so anyone can recompute it.
    const { hash, ...rest } = b;
    expect(auditRecordHash(rest)).toBe(hash);
    expect(log.head()).toEqual({ seq: 2, hash: b.hash });
    expect(log.list()).toEqual([a, b]);
  });

  it('commits and rolls back with the caller\'s transaction', () => {
    log.append({ type: 'first', data: {} });
    expect(() => db.transaction(() => {
      log.append({ type: 'inside', data: {} });
      throw new Error('caller failed');
    })()).toThrow('caller failed');
    expect(log.list().map((r) => r.type)).toEqual(['first']);
    db.transaction(() => log.append({ type: 'inside', data: {} }))();
    expect(log.list().map((r) => r.seq)).toEqual([1, 2]);
    expect(log.verify()).toEqual({ ok: true, count: 2, head: log.head()?.hash });
  });

  it('continues one chain across two connections to the same catalog', () => {
    const other = openCatalogDb(path.join(tmp, 'catalog.db'));
    try {
      const otherLog = new AuditLog(other, { clock, actor: 'bob', host: 'ws2' });
      log.append({ type: 'a', data: {} });
      otherLog.append({ type: 'b', data: {} });
      log.append({ type: 'c', data: {} });
      expect(log.list().map((r) => `${r.seq}${r.type}${r.actor}`)).toEqual(['1aalice', '2bbob', '3calice']);
      expect(otherLog.verify().ok).toBe(true);
    } finally {
      other.close();
    }
  });

  it('refuses data with no JSON form and writes nothing', () => {
    expect(() => log.append({ type: 'x', data: { bad: Number.POSITIVE_INFINITY } })).toThrow(/finite/);
    expect(() => log.append({ type: '', data: {} })).toThrow(/type/);
    expect(log.head()).toBeNull();
  });
});

describe('list', () => {
  it('filters by operation and by first seq', () => {
    appendFive();
    expect(log.list({ operationId: 7 }).map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(log.list({ sinceSeq: 4 }).map((r) => r.seq)).toEqual([4, 5]);
    expect(log.list({ operationId: 8, sinceSeq: 5 }).map((r) => r.seq)).toEqual([5]);
    expect(log.get(2)?.data).toEqual({ i: 2, kit: 'demo@1.0.0' });
    expect(log.get(9)).toBeUndefined();
  });
});

describe('verify catches every kind of tampering and names the first bad record', () => {
  it('an empty chain and an untouched chain are fine', () => {
    expect(log.verify()).toEqual({ ok: true, count: 0, head: null });
    const records = appendFive();
    expect(log.verify()).toEqual({ ok: true, count: 5, head: records[4]?.hash });
  });

  const cases: Array<{ name: string; tamper: (records: AuditRecord[]) => void; firstBadSeq: number; reason: RegExp }> = [
    { name: 'edited data', tamper: () => db.prepare(`UPDATE audit_events SET data_json = '{"i":3,"kit":"evil@6.6.6"}' WHERE seq = 3`).run(), firstBadSeq: 3, reason: /changed/ },
    { name: 'edited actor', tamper: () => db.prepare(`UPDATE audit_events SET actor = 'mallory' WHERE seq = 2`).run(), firstBadSeq: 2, reason: /changed/ },
    { name: 'data that is not JSON', tamper: () => db.prepare(`UPDATE audit_events SET data_json = 'nope' WHERE seq = 4`).run(), firstBadSeq: 4, reason: /changed/ },
    {
      name: 'edited hash (rehashed record, next link breaks)',
      tamper: (r) => {
        const edited = { ...r[1]!, data: { i: 2, kit: 'evil' } };
        const { hash: _old, ...rest } = edited;
        db.prepare('UPDATE audit_events SET data_json = ?, hash = ? WHERE seq = 2').run(JSON.stringify(edited.data), auditRecordHash(rest));
      },
      firstBadSeq: 3,
      reason: /does not link/,
    },
    { name: 'edited hash only', tamper: () => db.prepare(`UPDATE audit_events SET hash = ? WHERE seq = 3`).run('a'.repeat(64)), firstBadSeq: 3, reason: /changed/ },
    { name: 'deleted middle record', tamper: () => db.prepare('DELETE FROM audit_events WHERE seq = 3').run(), firstBadSeq: 3, reason: /record 3 is missing/ },
    { name: 'deleted first record', tamper: () => db.prepare('DELETE FROM audit_events WHERE seq = 1').run(), firstBadSeq: 1, reason: /record 1 is missing/ },
    { name: 'deleted two records', tamper: () => db.prepare('DELETE FROM audit_events WHERE seq IN (2, 3)').run(), firstBadSeq: 2, reason: /records 2–3 are missing/ },
    {
      name: 'inserted record (later records shifted up)',
      tamper: (r) => {
        db.prepare('UPDATE audit_events SET seq = seq + 100 WHERE seq >= 3').run();
        db.prepare('UPDATE audit_events SET seq = seq - 99 WHERE seq >= 100').run();
        // A well-formed forged record at 3 that links to 2: its own hash is right, the next link is not.
        const forged = { seq: 3, time: r[2]!.time, actor: 'mallory', host: 'ws1', type: 'kit.import', operationId: 7, data: { forged: true }, prevHash: r[1]!.hash };
        db.prepare('INSERT INTO audit_events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)').run(3, forged.time, forged.actor, forged.host, forged.type, 7, '{"forged":true}', forged.prevHash, auditRecordHash(forged));
      },
      firstBadSeq: 4,
      reason: /changed|does not link/,
    },
    {
      name: 'inserted record at the end with a made-up hash',
      tamper: () => db.prepare('INSERT INTO audit_events VALUES (6, ?, ?, ?, ?, NULL, ?, ?, ?)').run('2026-03-01T10:00:09.000Z', 'mallory', 'ws1', 'kit.import', '{}', 'b'.repeat(64), 'c'.repeat(64)),
      firstBadSeq: 6,
      reason: /does not link/,
    },
    {
      name: 'two records swapped',
      tamper: () => {
        db.prepare('UPDATE audit_events SET seq = 100 WHERE seq = 2').run();
        db.prepare('UPDATE audit_events SET seq = 2 WHERE seq = 4').run();
        db.prepare('UPDATE audit_events SET seq = 4 WHERE seq = 100').run();
      },
      firstBadSeq: 2,
      reason: /does not link/,
    },
  ];

  for (const c of cases) {
    it(c.name, () => {
      const records = appendFive();
      c.tamper(records);
      const result = log.verify();
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.firstBadSeq).toBe(c.firstBadSeq);
      expect(result.reason).toMatch(c.reason);
    });
  }

  it('a truncated tail is caught against a head recorded elsewhere, and only then', () => {
    const records = appendFive();
    const known = { seq: 5, hash: records[4]!.hash };
    expect(log.verify({ knownHead: known }).ok).toBe(true);
    db.prepare('DELETE FROM audit_events WHERE seq >= 4').run();
    // On its own the shorter chain is consistent: that is the chain's limit.
    expect(log.verify().ok).toBe(true);
    expect(log.verify({ knownHead: known })).toEqual({ ok: false, count: 3, firstBadSeq: 4, reason: expect.stringMatching(/ends at 3.*names record 5.*removed/) });
  });

  it('a fully rewritten chain is caught against a recorded head', () => {
    const records = appendFive();
    const known = { seq: 3, hash: records[2]!.hash };
    // Rewrite record 1 and re-hash everything after it: internally consistent.
    let prevHash = AUDIT_GENESIS_HASH;
    for (const r of log.list()) {
      const rewritten = { ...r, prevHash, data: r.seq === 1 ? { rewritten: true } : r.data };
      const { hash: _h, ...rest } = rewritten;
      const hash = auditRecordHash(rest);
      db.prepare('UPDATE audit_events SET data_json = ?, prev_hash = ?, hash = ? WHERE seq = ?').run(JSON.stringify(rewritten.data), prevHash, hash, r.seq);
      prevHash = hash;
    }
    expect(log.verify().ok).toBe(true);
    const result = log.verify({ knownHead: known });
    expect(result).toMatchObject({ ok: false, firstBadSeq: 3, reason: expect.stringMatching(/rewritten/) });
  });
});

describe('verifyAuditRecords on a slice', () => {
  it('checks a slice that starts mid-chain against the hash before it', () => {
    const records = appendFive();
    expect(verifyAuditRecords(records.slice(2), { startSeq: 3, startPrevHash: records[1]!.hash })).toEqual({ ok: true, count: 3, head: records[4]!.hash });
    expect(verifyAuditRecords(records.slice(2), { startSeq: 3, startPrevHash: records[0]!.hash })).toMatchObject({ ok: false, firstBadSeq: 3 });
    expect(verifyAuditRecords([records[1]!, records[0]!], { startSeq: 2, startPrevHash: records[0]!.hash })).toMatchObject({ ok: false, firstBadSeq: 1, reason: expect.stringMatching(/out of order/) });
  });
});

it('defaultAuditIdentity names the OS user and host', () => {
  const id = defaultAuditIdentity();
  expect(id.actor).toBe(os.userInfo().username);
  expect(id.host).toBe(os.hostname());
});
