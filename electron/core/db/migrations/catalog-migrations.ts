// The catalog's schema history, in order. Append new steps; never edit or
// remove one that has shipped.
import type { CatalogMigration } from '../catalog-migration.ts';
import { migration0001Initial } from './0001-initial.ts';
import { migration0002SbomsAttestations } from './0002-sboms-attestations.ts';
import { migration0003AuditChain } from './0003-audit-chain.ts';
import { migration0004InstallRoots } from './0004-install-roots.ts';

export const CATALOG_MIGRATIONS: readonly CatalogMigration[] = [
  migration0001Initial,
  migration0002SbomsAttestations,
  migration0003AuditChain,
  migration0004InstallRoots,
];

export const CATALOG_SCHEMA_VERSION = CATALOG_MIGRATIONS.length;
