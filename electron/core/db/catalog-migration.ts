import type { Database } from 'better-sqlite3';

/**
 * One step of the catalog's own schema (DESIGN §2 rule 7). Steps are
 * forward-only and additive: a step may add tables, columns and indexes, never
 * drop or rewrite what an older Airlock wrote, so an older catalog always
 * upgrades in place with its data.
 */
export interface CatalogMigration {
  /** The PRAGMA user_version the catalog has after this step; steps are numbered 1, 2, 3, … without gaps. */
  version: number;
  name: string;
  up(db: Database): void;
}
