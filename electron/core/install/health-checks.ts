// The kit's health checks (kit.json `health`), run after the switch:
// - {type:"file", path}: the path, relative to the new release folder, exists.
// - {type:"sql", database, query, expect:{rows?, equals?}}: the query runs on a
//   read-only connection and must be a read-only statement; `rows` is the
//   number of rows returned, `equals` the value of the first column of the
//   first row (compared as JSON, so 1, "ok" and null work as written).
import fs from 'node:fs';
import Database from 'better-sqlite3';
import type { KitManifest } from '../../../shared/kit-manifest.ts';
import type { InstallLayout } from './install-layout.ts';

export type HealthCheck = NonNullable<KitManifest['health']>[number];

export interface HealthResult {
  index: number;
  check: HealthCheck;
  ok: boolean;
  /** What was found, in plain words. */
  observed: string;
}

function jsonValue(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (Buffer.isBuffer(v)) return v.toString('hex');
  return v;
}

function describe(check: HealthCheck): string {
  return check.type === 'file' ? `file ${check.path}` : `sql on ${check.database}: ${check.query}`;
}

export function describeHealthCheck(result: Pick<HealthResult, 'index' | 'check'>): string {
  return `health[${result.index}] (${describe(result.check)})`;
}

function runSql(check: Extract<HealthCheck, { type: 'sql' }>, manifest: KitManifest, layout: InstallLayout): { ok: boolean; observed: string } {
  const decl = manifest.databases?.find((d) => d.id === check.database);
  if (!decl) return { ok: false, observed: `kit.json declares no database "${check.database}"` };
  const file = layout.databaseFile(decl.path);
  if (!fs.existsSync(file)) return { ok: false, observed: `the database ${file} does not exist` };
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const stmt = db.prepare(check.query);
    if (!stmt.readonly || !stmt.reader) return { ok: false, observed: 'the query is not a read-only statement returning rows' };
    const rows = stmt.raw(true).all() as unknown[][];
    const expect = check.expect;
    if (expect.rows !== undefined && rows.length !== expect.rows) return { ok: false, observed: `${rows.length} row(s), expected ${expect.rows}` };
    if ('equals' in expect) {
      const first = rows[0]?.[0];
      const got = JSON.stringify(jsonValue(first) ?? null);
      const want = JSON.stringify(expect.equals ?? null);
      if (got !== want) return { ok: false, observed: `first value ${got}, expected ${want}` };
    }
    return { ok: true, observed: `${rows.length} row(s)${rows.length > 0 ? `, first value ${JSON.stringify(jsonValue(rows[0]?.[0]) ?? null)}` : ''}` };
  } catch (error) {
    return { ok: false, observed: `the query failed: ${(error as Error).message}` };
  } finally {
    db.close();
  }
}

/** Runs every check (all of them, so the record shows each verdict); `ok` is false if any failed. */
export function runHealthChecks(manifest: KitManifest, layout: InstallLayout, releaseDir: string): { ok: boolean; results: HealthResult[] } {
  const results: HealthResult[] = (manifest.health ?? []).map((check, index) => {
    if (check.type === 'file') {
      let target: string;
      try {
        target = layout.inRelease(releaseDir, check.path);
      } catch (error) {
        return { index, check, ok: false, observed: `not a safe path: ${(error as Error).message}` };
      }
      const ok = fs.existsSync(target);
      return { index, check, ok, observed: ok ? `${check.path} exists` : `${check.path} is missing from the release` };
    }
    return { index, check, ...runSql(check, manifest, layout) };
  });
  return { ok: results.every((r) => r.ok), results };
}
