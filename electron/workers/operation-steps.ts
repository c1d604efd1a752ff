// The live step list of an install or rollback, for the window. The install
// service records each step (start, end, outcome, detail) in its operation row
// as it goes; this reads that record back at each checkpoint the service
// passes, so the window shows exactly the steps the evidence will show, not a
// second account of them. Checkpoints come through the service's `checkpoint`
// callback, called at the same named step boundaries the crash tests use.
import type { CatalogDb } from '../core/db/catalog-db.ts';
import type { InstallCrashPoint } from '../core/install/install-crash-points.ts';
import { INSTALL_STEP_NAMES, ROLLBACK_STEP_NAMES, STEP_OUTCOMES, type OperationStep } from '../../shared/ipc-install-schemas.ts';

export interface StepsSnapshot {
  catalogOperationId: number | null;
  steps: OperationStep[];
  /** Whether a cancel can still stop the operation (and have it undone). */
  cancellable: boolean;
}

/**
 * The first checkpoint past which an install can no longer be cancelled: after
 * the migrations the service switches, checks and commits without another look
 * at the cancel signal.
 */
export const INSTALL_POINT_OF_NO_RETURN: InstallCrashPoint = 'install-migrated';

interface RecordedStep {
  name?: unknown;
  outcome?: unknown;
  startedAt?: unknown;
  endedAt?: unknown;
  detail?: unknown;
  error?: { code?: unknown; message?: unknown };
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

function outcomeOf(v: unknown): OperationStep['outcome'] {
  return (STEP_OUTCOMES as readonly string[]).includes(String(v)) ? (v as OperationStep['outcome']) : 'running';
}

/** The operation's recorded steps, then the steps still to come (pending while it runs, skipped once it ended). */
export function stepsOf(details: Record<string, unknown>, running: boolean, type: 'install' | 'rollback'): OperationStep[] {
  const recorded = Array.isArray(details.steps) ? (details.steps as RecordedStep[]) : [];
  const steps: OperationStep[] = recorded.map((s) => ({
    name: str(s.name) ?? 'unknown',
    outcome: outcomeOf(s.outcome),
    startedAt: str(s.startedAt),
    endedAt: str(s.endedAt),
    detail: str(s.detail),
    error: s.error && typeof s.error === 'object' ? { code: String(s.error.code ?? ''), message: String(s.error.message ?? '') } : null,
  }));
  const seen = new Set(steps.map((s) => s.name));
  const failed = steps.some((s) => s.outcome === 'failed' || s.outcome === 'interrupted');
  for (const name of type === 'install' ? INSTALL_STEP_NAMES : ROLLBACK_STEP_NAMES) {
    if (seen.has(name)) continue;
    steps.push({
      name,
      outcome: running && !failed ? 'pending' : 'skipped',
      startedAt: null,
      endedAt: null,
      detail: running && !failed ? null : 'not run: an earlier step failed',
      error: null,
    });
  }
  return steps;
}

export class OperationStepTracker {
  readonly #db: CatalogDb;
  readonly #root: string;
  readonly #type: 'install' | 'rollback';
  readonly #emit: (snapshot: StepsSnapshot) => void;
  /** Operations with a higher id than this were started by this job. */
  readonly #after: number;
  #operationId: number | null = null;
  #cancellable: boolean;
  #lastSent = '';

  constructor(db: CatalogDb, options: { root: string; type: 'install' | 'rollback'; emit: (snapshot: StepsSnapshot) => void }) {
    this.#db = db;
    this.#root = options.root;
    this.#type = options.type;
    this.#emit = options.emit;
    this.#cancellable = options.type === 'install';
    this.#after = (db.prepare('SELECT COALESCE(MAX(id), 0) AS id FROM operations').get() as { id: number }).id;
  }

  get cancellable(): boolean {
    return this.#cancellable;
  }

  /** Called by the service at each checkpoint; sends the steps when they changed. */
  checkpoint(point: InstallCrashPoint): void {
    if (point === INSTALL_POINT_OF_NO_RETURN || point === 'install-rolling-back') this.#cancellable = false;
    this.refresh();
  }

  /** Reads the steps as recorded now (of `operationId` when the caller knows it) and sends them if they changed. */
  refresh(operationId?: number): StepsSnapshot {
    if (operationId !== undefined) this.#operationId = operationId;
    this.#operationId ??= this.#findOperation();
    let steps: OperationStep[] = stepsOf({}, true, this.#type);
    let running = true;
    if (this.#operationId !== null) {
      const row = this.#db.prepare('SELECT status, details_json FROM operations WHERE id = ?').get(this.#operationId) as { status: string; details_json: string } | undefined;
      if (row) {
        running = row.status === 'running';
        let details: Record<string, unknown> = {};
        try {
          details = JSON.parse(row.details_json) as Record<string, unknown>;
        } catch {
          // An unreadable record shows as no steps; the evidence export reports it.
        }
        steps = stepsOf(details, running, this.#type);
      }
    }
    if (!running || steps.some((s) => s.outcome === 'failed')) this.#cancellable = false;
    const snapshot: StepsSnapshot = { catalogOperationId: this.#operationId, steps, cancellable: this.#cancellable };
    const text = JSON.stringify(snapshot);
    if (text !== this.#lastSent) {
      this.#lastSent = text;
      this.#emit(snapshot);
    }
    return snapshot;
  }

  #findOperation(): number | null {
    const row = this.#db.prepare(`
      SELECT o.id FROM operations o JOIN install_operations i ON i.operation_id = o.id
      WHERE i.root = ? AND o.id > ? ORDER BY o.id DESC LIMIT 1`).get(this.#root, this.#after) as { id: number } | undefined;
    return row?.id ?? null;
  }
}
