// The audit chain: every event Airlock records (verify, import, preflight,
// install steps, migrations, rollback, export, trust-policy changes) as a row
// that carries the hash of the row before it. An edit, deletion, insertion or
// reordering anywhere breaks a link, and verify() names the first record where
// it breaks.
//
// What it cannot do on its own: the hash is unkeyed, so someone who can write
// the catalog can rewrite the whole chain consistently, or drop the newest
// records. Those are caught only against a head recorded elsewhere (evidence
// bundles, reports, a head an auditor noted): see verify({ knownHead }) and
// docs/security.md "Audit chain and evidence".
import { createHash } from 'node:crypto';
import os from 'node:os';
import { AirlockError } from '../../../shared/airlock-error.ts';
import type { CatalogDb } from '../db/catalog-db.ts';
import { canonicalJson } from './canonical-json.ts';

export interface AuditEventInput {
  type: string;
  operationId?: number | null;
  data: Record<string, unknown>;
}

export interface AuditRecord {
  seq: number;
  time: string;
  actor: string;
  host: string;
  type: string;
  operationId: number | null;
  data: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

export type AuditVerifyResult =
  | { ok: true; count: number; head: string | null }
  | { ok: false; count: number; firstBadSeq: number; reason: string };

export interface AuditLogDeps {
  clock: () => Date;
  actor: string;
  host: string;
}

export interface AuditHead {
  seq: number;
  hash: string;
}

export interface AuditVerifyOptions {
  /**
   * A head recorded outside the catalog (an evidence bundle's audit.jsonl, a
   * report, an auditor's note). The chain must still hold that record with that
   * hash; this is what catches a deleted tail.
   */
  knownHead?: AuditHead;
}

/** prevHash of the first record. */
export const AUDIT_GENESIS_HASH = '0'.repeat(64);

const HASH_RE = /^[0-9a-f]{64}$/;

/** The fields a record's hash covers, in the form that is hashed. */
export function auditHashInput(r: Omit<AuditRecord, 'hash'>): string {
  return canonicalJson({
    seq: r.seq,
    time: r.time,
    actor: r.actor,
    host: r.host,
    type: r.type,
    operationId: r.operationId,
    data: r.data,
    prevHash: r.prevHash,
  });
}

/** Hex SHA-256 of the record's canonical JSON (without its own hash). */
export function auditRecordHash(r: Omit<AuditRecord, 'hash'>): string {
  return createHash('sha256').update(auditHashInput(r), 'utf8').digest('hex');
}

/**
 * Checks a sequence of records as a chain on its own: seq 1, 2, 3, … from
 * `startSeq`, each hash recomputed, each prevHash the hash before it
 * (`startPrevHash` for the first). Shared by the catalog's chain and by the
 * evidence bundle's audit.jsonl, which holds a slice of the chain.
 */
export function verifyAuditRecords(
  records: readonly AuditRecord[],
  options: { startSeq?: number; startPrevHash?: string; knownHead?: AuditHead } = {},
): AuditVerifyResult {
  let expectedSeq = options.startSeq ?? 1;
  let prevHash = options.startPrevHash ?? AUDIT_GENESIS_HASH;
  const count = records.length;
  const bad = (firstBadSeq: number, reason: string): AuditVerifyResult => ({ ok: false, count, firstBadSeq, reason });
  for (const r of records) {
    if (r.seq !== expectedSeq) {
      if (r.seq > expectedSeq) {
        const missing = r.seq - 1 === expectedSeq ? `record ${expectedSeq} is missing` : `records ${expectedSeq}–${r.seq - 1} are missing`;
        return bad(expectedSeq, `${missing}: the chain goes from ${expectedSeq - 1} to ${r.seq}`);
      }
      return bad(r.seq, `record ${r.seq} is out of order: expected ${expectedSeq}`);
    }
    if (r.prevHash !== prevHash) {
      return bad(r.seq, `record ${r.seq} does not link to the record before it (prevHash ${short(r.prevHash)}, expected ${short(prevHash)})`);
    }
    if (!HASH_RE.test(r.hash) || auditRecordHash(r) !== r.hash) {
      return bad(r.seq, `record ${r.seq} was changed after it was written (its content no longer matches its hash)`);
    }
    prevHash = r.hash;
    expectedSeq += 1;
  }
  const last = records.at(-1);
  const known = options.knownHead;
  if (known) {
    if (!last || last.seq < known.seq) {
      const from = last ? last.seq + 1 : (options.startSeq ?? 1);
      return bad(from, `the chain ends at ${last ? last.seq : 'nothing'} but a recorded head names record ${known.seq}: records from ${from} on were removed`);
    }
    const atHead = records.find((r) => r.seq === known.seq);
    if (atHead && atHead.hash !== known.hash) {
      return bad(known.seq, `record ${known.seq} has hash ${short(atHead.hash)} but the recorded head says ${short(known.hash)}: the chain was rewritten`);
    }
  }
  return { ok: true, count, head: last ? last.hash : null };
}

function short(hash: string): string {
  return hash.length > 16 ? `${hash.slice(0, 16)}…` : hash;
}

interface AuditRow {
  seq: number;
  time: string;
  actor: string;
  host: string;
  type: string;
  operation_id: number | null;
  data_json: string;
  prev_hash: string;
  hash: string;
}

function recordOf(row: AuditRow): AuditRecord {
  let data: Record<string, unknown>;
  try {
    const parsed = JSON.parse(row.data_json) as unknown;
    data = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : { $unreadable: row.data_json };
  } catch {
    // A row whose data is not JSON is itself tamper evidence: keep the raw text
    // so the hash check fails on it rather than the reader crashing.
    data = { $unreadable: row.data_json };
  }
  return {
    seq: row.seq,
    time: row.time,
    actor: row.actor,
    host: row.host,
    type: row.type,
    operationId: row.operation_id,
    data,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

export class AuditLog {
  private readonly db: CatalogDb;
  private readonly deps: AuditLogDeps;

  constructor(db: CatalogDb, deps: AuditLogDeps) {
    this.db = db;
    this.deps = deps;
  }

  /**
   * Appends one event and returns it with its seq and hash. Synchronous, so it
   * can run inside the caller's db.transaction() and commit (or roll back) with
   * the change it records. Outside a transaction it takes the write lock before
   * reading the head, so two processes never both append after the same record.
   */
  append(event: AuditEventInput): AuditRecord {
    if (typeof event.type !== 'string' || event.type.length === 0) {
      throw new AirlockError('INTERNAL', 'an audit event needs a type', { field: 'type' });
    }
    const dataJson = canonicalJson(event.data);
    const write = (): AuditRecord => {
      const head = this.head();
      const unsigned: Omit<AuditRecord, 'hash'> = {
        seq: head ? head.seq + 1 : 1,
        time: this.deps.clock().toISOString(),
        actor: this.deps.actor,
        host: this.deps.host,
        type: event.type,
        operationId: event.operationId ?? null,
        data: JSON.parse(dataJson) as Record<string, unknown>,
        prevHash: head ? head.hash : AUDIT_GENESIS_HASH,
      };
      const record: AuditRecord = { ...unsigned, hash: auditRecordHash(unsigned) };
      this.db
        .prepare('INSERT INTO audit_events (seq, time, actor, host, type, operation_id, data_json, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
        .run(record.seq, record.time, record.actor, record.host, record.type, record.operationId, dataJson, record.prevHash, record.hash);
      return record;
    };
    const tx = this.db.transaction(write);
    return this.db.inTransaction ? tx() : tx.immediate();
  }

  /** Checks every record of the chain; with a knownHead, also that the chain still reaches it unchanged. */
  verify(options: AuditVerifyOptions = {}): AuditVerifyResult {
    return verifyAuditRecords(this.list(), options.knownHead ? { knownHead: options.knownHead } : {});
  }

  /** Records in seq order; operationId keeps one operation's events, sinceSeq keeps seq >= sinceSeq, throughSeq keeps seq <= throughSeq. */
  list(filter: { operationId?: number; sinceSeq?: number; throughSeq?: number } = {}): AuditRecord[] {
    const where: string[] = [];
    const args: number[] = [];
    if (filter.operationId !== undefined) {
      where.push('operation_id = ?');
      args.push(filter.operationId);
    }
    if (filter.sinceSeq !== undefined) {
      where.push('seq >= ?');
      args.push(filter.sinceSeq);
    }
    if (filter.throughSeq !== undefined) {
      where.push('seq <= ?');
      args.push(filter.throughSeq);
    }
    const sql = `SELECT * FROM audit_events${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY seq`;
    return (this.db.prepare(sql).all(...args) as AuditRow[]).map(recordOf);
  }

  /** One record by seq, or undefined. */
  get(seq: number): AuditRecord | undefined {
    const row = this.db.prepare('SELECT * FROM audit_events WHERE seq = ?').get(seq) as AuditRow | undefined;
    return row ? recordOf(row) : undefined;
  }

  head(): AuditHead | null {
    const row = this.db.prepare('SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1').get() as AuditHead | undefined;
    return row ?? null;
  }
}

/** Who and where, as the audit chain records them: the OS user name and the host name. */
export function defaultAuditIdentity(): { actor: string; host: string } {
  let actor: string;
  try {
    actor = os.userInfo().username;
  } catch {
    // userInfo() throws for a uid with no passwd entry (some containers).
    actor = process.env.USER ?? process.env.USERNAME ?? `uid:${process.getuid?.() ?? 'unknown'}`;
  }
  return { actor, host: os.hostname() };
}
