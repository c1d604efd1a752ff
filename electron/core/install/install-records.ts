// The catalog side of install operations: the operation row (whose
// details_json holds the plan, the preflight report, the steps, the backups,
// the migrations and what recovery did, as the evidence export reads them),
// the install_operations/install_roots index rows, and one audit event per
// step, each written in the same transaction as the change it records.
import type { CatalogDb } from '../db/catalog-db.ts';
import type { AuditLog } from '../evidence/audit-log.ts';
import { operationFromRow, type OperationRow } from '../registry/release-catalog.ts';

export type OperationStatus = 'running' | 'succeeded' | 'failed' | 'interrupted';
export type StepOutcome = 'running' | 'succeeded' | 'failed' | 'skipped' | 'interrupted';

export interface StepRecord {
  name: string;
  startedAt: string;
  endedAt: string | null;
  outcome: StepOutcome;
  error?: { code: string; message: string };
  /** Digests and facts of the step (file sha256s, migration ids …). */
  detail?: string;
  data?: Record<string, unknown>;
}

export type InstallOperationRow = OperationRow;

export class InstallRecords {
  readonly db: CatalogDb;
  private readonly audit: AuditLog;
  private readonly clock: () => Date;

  constructor(db: CatalogDb, audit: AuditLog, clock: () => Date) {
    this.db = db;
    this.audit = audit;
    this.clock = clock;
  }

  private details(id: number): Record<string, unknown> {
    const row = this.db.prepare('SELECT details_json FROM operations WHERE id = ?').get(id) as { details_json: string } | undefined;
    return row ? (JSON.parse(row.details_json) as Record<string, unknown>) : {};
  }

  private writeDetails(id: number, details: Record<string, unknown>): void {
    this.db.prepare('UPDATE operations SET details_json = ? WHERE id = ?').run(JSON.stringify(details), id);
  }

  /** Starts an operation row, indexes it under its root and records the first audit event. */
  start(input: { type: 'install' | 'rollback'; root: string; name: string; kind: string; from: string | null; to: string; details: Record<string, unknown>; event: { type: string; data: Record<string, unknown> } }): number {
    return this.db.transaction(() => {
      const now = this.clock().toISOString();
      const id = Number(this.db
        .prepare(`INSERT INTO operations (type, status, started_at, details_json) VALUES (?, 'running', ?, ?)`)
        .run(input.type, now, JSON.stringify({ ...input.details, steps: [] })).lastInsertRowid);
      this.db.prepare(`INSERT INTO install_roots (root, name, first_used_at, last_operation_id) VALUES (?, ?, ?, ?)
        ON CONFLICT(root) DO UPDATE SET last_operation_id = excluded.last_operation_id, name = excluded.name`).run(input.root, input.name, now, id);
      this.db.prepare('INSERT INTO install_operations (operation_id, root, name, kind, from_version, to_version) VALUES (?, ?, ?, ?, ?, ?)')
        .run(id, input.root, input.name, input.kind, input.from, input.to);
      this.audit.append({ type: input.event.type, operationId: id, data: input.event.data });
      return id;
    }).immediate();
  }

  /** Merges fields into the operation's details (and appends an audit event with it, when given). */
  update(id: number, patch: Record<string, unknown>, event?: { type: string; data: Record<string, unknown> }): void {
    this.db.transaction(() => {
      this.writeDetails(id, { ...this.details(id), ...patch });
      if (event) this.audit.append({ type: event.type, operationId: id, data: event.data });
    }).immediate();
  }

  stepStarted(id: number, name: string): void {
    this.db.transaction(() => {
      const d = this.details(id);
      const steps = (d.steps as StepRecord[] | undefined) ?? [];
      steps.push({ name, startedAt: this.clock().toISOString(), endedAt: null, outcome: 'running' });
      this.writeDetails(id, { ...d, steps });
    }).immediate();
  }

  /**
   * Ends the latest running step of that name, merges `patch` into the
   * details and appends the step's audit event, all in one transaction.
   */
  stepEnded(id: number, name: string, outcome: Exclude<StepOutcome, 'running'>, extra: { error?: { code: string; message: string }; detail?: string; data?: Record<string, unknown>; patch?: Record<string, unknown>; event?: { type: string; data: Record<string, unknown> } } = {}): void {
    this.db.transaction(() => {
      const d = { ...this.details(id), ...(extra.patch ?? {}) };
      const steps = (d.steps as StepRecord[] | undefined) ?? [];
      let step = [...steps].reverse().find((s) => s.name === name && s.outcome === 'running');
      if (!step) {
        step = { name, startedAt: this.clock().toISOString(), endedAt: null, outcome: 'running' };
        steps.push(step);
      }
      step.endedAt = this.clock().toISOString();
      step.outcome = outcome;
      if (extra.error) step.error = extra.error;
      if (extra.detail) step.detail = extra.detail;
      if (extra.data) step.data = extra.data;
      this.writeDetails(id, { ...d, steps });
      if (extra.event) this.audit.append({ type: extra.event.type, operationId: id, data: extra.event.data });
    }).immediate();
  }

  /** Marks every step still running as failed with this error (the step an exception left open). */
  failRunningSteps(id: number, error: { code: string; message: string }): void {
    this.db.transaction(() => {
      const d = this.details(id);
      const steps = (d.steps as StepRecord[] | undefined) ?? [];
      const now = this.clock().toISOString();
      for (const s of steps) {
        if (s.outcome !== 'running') continue;
        s.outcome = 'failed';
        s.endedAt = now;
        s.error = error;
      }
      this.writeDetails(id, { ...d, steps });
    }).immediate();
  }

  /** Ends the operation (only if it is still running, so a recovery never overwrites a recorded end). */
  finish(id: number, status: Exclude<OperationStatus, 'running'>, input: { error?: { code: string; message: string }; patch?: Record<string, unknown>; event?: { type: string; data: Record<string, unknown> } } = {}): boolean {
    return this.db.transaction(() => {
      const row = this.db.prepare('SELECT status FROM operations WHERE id = ?').get(id) as { status: string } | undefined;
      if (!row || row.status !== 'running') return false;
      const d = { ...this.details(id), ...(input.patch ?? {}) };
      const steps = (d.steps as StepRecord[] | undefined) ?? [];
      const now = this.clock().toISOString();
      for (const s of steps) {
        if (s.outcome === 'running') {
          s.outcome = status === 'interrupted' ? 'interrupted' : 'failed';
          s.endedAt = now;
        }
      }
      this.db
        .prepare('UPDATE operations SET status = ?, ended_at = ?, error_code = ?, error_message = ?, details_json = ? WHERE id = ?')
        .run(status, now, input.error?.code ?? null, input.error?.message ?? null, JSON.stringify({ ...d, steps }), id);
      if (input.event) this.audit.append({ type: input.event.type, operationId: id, data: input.event.data });
      return true;
    }).immediate();
  }

  appendAudit(type: string, operationId: number | null, data: Record<string, unknown>): void {
    this.audit.append({ type, operationId, data });
  }

  operation(id: number): InstallOperationRow | undefined {
    const r = this.db.prepare('SELECT * FROM operations WHERE id = ?').get(id) as Record<string, unknown> | undefined;
    return r ? operationFromRow(r) : undefined;
  }

  /** The newest install or rollback operation of a root. */
  lastOperation(root: string): InstallOperationRow | undefined {
    const r = this.db.prepare(`
      SELECT o.* FROM operations o JOIN install_operations i ON i.operation_id = o.id
      WHERE i.root = ? ORDER BY o.id DESC LIMIT 1`).get(root) as Record<string, unknown> | undefined;
    return r ? operationFromRow(r) : undefined;
  }

  /** Every install root this catalog has worked on. */
  roots(): Array<{ root: string; name: string }> {
    return this.db.prepare('SELECT root, name FROM install_roots ORDER BY root').all() as Array<{ root: string; name: string }>;
  }
}

