// The history of one install root for the Releases view: its install and
// rollback operations, newest first, read from the catalog's index of them
// (install_operations) and the operation rows the install service wrote. The
// same rows `airlock status` reads for the last operation.
import type { CatalogDb } from '../core/db/catalog-db.ts';
import type { StatusOperationData } from '../../shared/ipc-install-schemas.ts';

interface Row {
  id: number;
  type: string;
  status: string;
  started_at: string;
  ended_at: string | null;
  error_code: string | null;
  error_message: string | null;
  details_json: string;
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

function operationOf(row: Row): StatusOperationData {
  let d: Record<string, unknown> = {};
  try {
    d = JSON.parse(row.details_json) as Record<string, unknown>;
  } catch {
    // An unreadable record still shows its status and error columns.
  }
  const steps = Array.isArray(d.steps) ? (d.steps as Array<Record<string, unknown>>) : [];
  return {
    id: row.id,
    type: row.type,
    status: row.status,
    kind: str(d.kind),
    from: str(d.from),
    to: str(d.to),
    startedAt: row.started_at,
    endedAt: row.ended_at,
    error: row.error_code ? { code: row.error_code, message: row.error_message ?? '' } : null,
    failedStep: str(d.failedStep),
    steps: steps.map((s) => ({ name: String(s.name ?? ''), outcome: String(s.outcome ?? ''), startedAt: String(s.startedAt ?? ''), endedAt: str(s.endedAt) })),
  };
}

/** Up to `limit` operations on `root`, newest first, and whether there are more. */
export function installHistory(db: CatalogDb, root: string, limit = 50): { history: StatusOperationData[]; more: boolean } {
  const rows = db.prepare(`
    SELECT o.id, o.type, o.status, o.started_at, o.ended_at, o.error_code, o.error_message, o.details_json
    FROM operations o JOIN install_operations i ON i.operation_id = o.id
    WHERE i.root = ? ORDER BY o.id DESC LIMIT ?`).all(root, limit + 1) as Row[];
  return { history: rows.slice(0, limit).map(operationOf), more: rows.length > limit };
}
