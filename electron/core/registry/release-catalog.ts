// The catalog's reads and writes for releases and operations. Every write of
// an import happens inside one transaction that the importer opens (see
// insertRelease); nothing here commits on its own except operation rows.
import type { SignatureVerdict, SignerIdentity } from '../../../shared/kit-verification.ts';
import { AirlockError } from '../../../shared/airlock-error.ts';
import type { CatalogDb } from '../db/catalog-db.ts';
import type {
  ReleaseAttestation, ReleaseDetail, ReleaseFile, ReleaseImage, ReleaseMigration, ReleasePackage, ReleaseSbom, ReleaseSummary,
} from './registry-types.ts';
import type { CrashHook } from './store-fs.ts';

export interface NewImage extends ReleaseImage {
  /** The kit's own index.json descriptor, kept whole. */
  descriptor: Record<string, unknown>;
}

export interface NewSbom extends Omit<ReleaseSbom, 'packageCount'> {
  packages: Omit<ReleasePackage, 'sbomPath'>[];
}

export interface NewRelease {
  name: string;
  version: string;
  channel: string;
  created: string;
  calendar: string | null;
  description: string | null;
  publisher: string | null;
  signature: SignatureVerdict;
  sumsDigest: string;
  bundleDigest: string;
  manifestDigest: string;
  totalBytes: number;
  files: ReleaseFile[];
  images: NewImage[];
  sboms: NewSbom[];
  attestations: ReleaseAttestation[];
  migrations: ReleaseMigration[];
  importedAt: string;
  operationId: number;
}

export interface OperationRow {
  id: number;
  type: string;
  status: string;
  startedAt: string;
  endedAt: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  details: Record<string, unknown>;
}

/**
 * One `operations` row as the rest of Airlock sees it (import, install and
 * rollback all write these). Details that are not a JSON object are kept, not
 * dropped, so an evidence export shows exactly what was recorded.
 */
export function operationFromRow(r: Record<string, unknown>): OperationRow {
  const raw = r.details_json as string;
  let details: Record<string, unknown>;
  try {
    const parsed = JSON.parse(raw) as unknown;
    details = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : { value: parsed };
  } catch {
    details = { unreadable: raw };
  }
  return {
    id: r.id as number,
    type: r.type as string,
    status: r.status as string,
    startedAt: r.started_at as string,
    endedAt: r.ended_at as string | null,
    errorCode: r.error_code as string | null,
    errorMessage: r.error_message as string | null,
    details,
  };
}

/** The id KIT_PUBLISHER_CHANGED compares: a key's fingerprint, or a keyless subject and issuer. */
export function signerId(signer: SignerIdentity): string {
  return signer.kind === 'key' ? signer.fingerprint : `${signer.subject}|${signer.issuer}`;
}

interface ReleaseRow {
  id: number;
  name: string;
  version: string;
  channel: string;
  created: string;
  calendar: string | null;
  description: string | null;
  publisher: string | null;
  trust_publisher: string;
  signature_json: string;
  sums_digest: string;
  bundle_digest: string;
  manifest_digest: string;
  file_count: number;
  total_bytes: number;
  imported_at: string;
  import_operation_id: number;
  image_count: number;
}

const RELEASE_SELECT = `
  SELECT r.*, k.name AS name,
         (SELECT count(*) FROM release_images i WHERE i.release_id = r.id) AS image_count
  FROM releases r JOIN kits k ON k.id = r.kit_id`;

function summaryOf(row: ReleaseRow): ReleaseSummary {
  const signature = JSON.parse(row.signature_json) as SignatureVerdict;
  return {
    name: row.name,
    version: row.version,
    channel: row.channel,
    created: row.created,
    publisher: row.publisher,
    trustPublisher: row.trust_publisher,
    signer: signature.signer,
    sumsSha256: row.sums_digest.slice('sha256:'.length),
    fileCount: row.file_count,
    totalBytes: row.total_bytes,
    imageCount: row.image_count,
    importedAt: row.imported_at,
    importOperationId: row.import_operation_id,
  };
}

export class ReleaseCatalog {
  readonly db: CatalogDb;

  constructor(db: CatalogDb) {
    this.db = db;
  }

  startOperation(type: string, details: Record<string, unknown>, now: Date): number {
    const info = this.db
      .prepare(`INSERT INTO operations (type, status, started_at, details_json) VALUES (?, 'running', ?, ?)`)
      .run(type, now.toISOString(), JSON.stringify(details));
    return Number(info.lastInsertRowid);
  }

  finishOperation(id: number, status: 'succeeded' | 'failed', now: Date, error?: { code: string; message: string }, details?: Record<string, unknown>): void {
    const current = this.db.prepare('SELECT details_json FROM operations WHERE id = ?').get(id) as { details_json: string } | undefined;
    const merged = { ...(current ? (JSON.parse(current.details_json) as Record<string, unknown>) : {}), ...(details ?? {}) };
    this.db
      .prepare('UPDATE operations SET status = ?, ended_at = ?, error_code = ?, error_message = ?, details_json = ? WHERE id = ?')
      .run(status, now.toISOString(), error?.code ?? null, error?.message ?? null, JSON.stringify(merged), id);
  }

  /** Marks operations of this type that a dead process left 'running'. Only call under the registry lock. */
  interruptRunning(type: string, now: Date): number {
    return this.db
      .prepare(`UPDATE operations SET status = 'interrupted', ended_at = ?, error_code = 'INTERRUPTED', error_message = 'the process stopped before the operation finished' WHERE status = 'running' AND type = ?`)
      .run(now.toISOString(), type).changes;
  }

  operations(type?: string): OperationRow[] {
    const rows = (type === undefined
      ? this.db.prepare('SELECT * FROM operations ORDER BY id').all()
      : this.db.prepare('SELECT * FROM operations WHERE type = ? ORDER BY id').all(type)) as Array<Record<string, unknown>>;
    return rows.map(operationFromRow);
  }

  findBySums(sumsDigest: string): ReleaseSummary | undefined {
    const row = this.db.prepare(`${RELEASE_SELECT} WHERE r.sums_digest = ?`).get(sumsDigest) as ReleaseRow | undefined;
    return row ? summaryOf(row) : undefined;
  }

  find(name: string, version: string): ReleaseSummary | undefined {
    const row = this.db.prepare(`${RELEASE_SELECT} WHERE k.name = ? AND r.version = ?`).get(name, version) as ReleaseRow | undefined;
    return row ? summaryOf(row) : undefined;
  }

  list(): ReleaseSummary[] {
    const rows = this.db.prepare(`${RELEASE_SELECT} ORDER BY k.name, r.imported_at, r.id`).all() as ReleaseRow[];
    return rows.map(summaryOf);
  }

  /** Every blob one release references (files include image blobs, SBOMs, attestations and migrations). */
  releaseBlobs(sumsDigest: string): Array<{ digest: string; size: number }> {
    return this.db
      .prepare(`SELECT DISTINCT f.digest, f.size FROM release_files f JOIN releases r ON r.id = f.release_id WHERE r.sums_digest = ?`)
      .all(sumsDigest) as Array<{ digest: string; size: number }>;
  }

  /** Every catalogued blob. */
  allBlobs(): Array<{ digest: string; size: number }> {
    return this.db.prepare('SELECT digest, size FROM blobs ORDER BY digest').all() as Array<{ digest: string; size: number }>;
  }

  /** Image references for the registry's OCI index: for a reference in several releases, the latest import wins. */
  indexImages(): Array<{ ref: string; digest: string; descriptor: Record<string, unknown> }> {
    const rows = this.db.prepare(`
      SELECT i.ref, i.digest, i.descriptor_json, i.release_id
      FROM release_images i
      ORDER BY i.ref, i.release_id DESC, i.digest`).all() as Array<{ ref: string; digest: string; descriptor_json: string; release_id: number }>;
    const out: Array<{ ref: string; digest: string; descriptor: Record<string, unknown> }> = [];
    let ref: string | undefined;
    let newest = 0;
    for (const row of rows) {
      if (row.ref !== ref) {
        ref = row.ref;
        newest = row.release_id;
      }
      if (row.release_id !== newest) continue;
      out.push({ ref: row.ref, digest: row.digest, descriptor: JSON.parse(row.descriptor_json) as Record<string, unknown> });
    }
    return out;
  }

  detail(name: string, version: string): ReleaseDetail {
    const row = this.db.prepare(`${RELEASE_SELECT} WHERE k.name = ? AND r.version = ?`).get(name, version) as ReleaseRow | undefined;
    if (!row) {
      throw new AirlockError('RELEASE_NOT_FOUND', `${name}@${version} is not in the registry`, { details: { name, version } });
    }
    const id = row.id;
    const files = this.db.prepare('SELECT path, digest, size, mode FROM release_files WHERE release_id = ? ORDER BY path').all(id) as ReleaseFile[];
    const images = this.db.prepare('SELECT ref, digest, media_type AS mediaType, size FROM release_images WHERE release_id = ? ORDER BY ref, digest').all(id) as ReleaseImage[];
    const sboms = this.db.prepare(`
      SELECT s.path, s.format, s.spec_version AS specVersion, s.digest, s.subject,
             (SELECT count(*) FROM sbom_packages p WHERE p.release_id = s.release_id AND p.sbom_path = s.path) AS packageCount
      FROM release_sboms s WHERE s.release_id = ? ORDER BY s.path`).all(id) as ReleaseSbom[];
    const packages = this.db.prepare('SELECT sbom_path AS sbomPath, name, version, license, purl FROM sbom_packages WHERE release_id = ? ORDER BY name, version, sbom_path, id').all(id) as ReleasePackage[];
    const attestations = this.db.prepare('SELECT path, predicate_type AS predicateType, digest, size FROM release_attestations WHERE release_id = ? ORDER BY path').all(id) as ReleaseAttestation[];
    const migrations = (this.db.prepare('SELECT id, database_id AS database, path, digest, destructive FROM release_migrations WHERE release_id = ? ORDER BY seq').all(id) as Array<Omit<ReleaseMigration, 'destructive'> & { destructive: number }>)
      .map((m) => ({ ...m, destructive: m.destructive === 1 }));
    return {
      ...summaryOf(row),
      calendar: row.calendar,
      description: row.description,
      signature: JSON.parse(row.signature_json) as SignatureVerdict,
      sumsDigest: row.sums_digest,
      bundleDigest: row.bundle_digest,
      manifestDigest: row.manifest_digest,
      files,
      images,
      sboms,
      packages,
      attestations,
      migrations,
    };
  }

  /**
   * Writes one release. Call inside a transaction: the importer's single
   * commit makes the release visible with all of its rows at once.
   */
  insertRelease(r: NewRelease, crash: CrashHook = () => {}): number {
    const db = this.db;
    db.prepare('INSERT INTO kits (name, first_imported_at) VALUES (?, ?) ON CONFLICT(name) DO NOTHING').run(r.name, r.importedAt);
    const kitId = (db.prepare('SELECT id FROM kits WHERE name = ?').get(r.name) as { id: number }).id;
    const addBlob = db.prepare('INSERT INTO blobs (digest, size, first_imported_at) VALUES (?, ?, ?) ON CONFLICT(digest) DO NOTHING');
    for (const f of r.files) addBlob.run(f.digest, f.size, r.importedAt);
    const info = db.prepare(`
      INSERT INTO releases (kit_id, version, channel, created, calendar, description, publisher, trust_publisher,
        signer_kind, signer_id, signature_json, sums_digest, bundle_digest, manifest_digest, file_count, total_bytes,
        imported_at, import_operation_id)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
      kitId, r.version, r.channel, r.created, r.calendar, r.description, r.publisher, r.signature.publisher,
      r.signature.signer.kind, signerId(r.signature.signer), JSON.stringify(r.signature), r.sumsDigest, r.bundleDigest, r.manifestDigest,
      r.files.length, r.totalBytes, r.importedAt, r.operationId,
    );
    const releaseId = Number(info.lastInsertRowid);
    crash('catalog-tx-release-inserted');
    const addFile = db.prepare('INSERT INTO release_files (release_id, path, digest, size, mode) VALUES (?, ?, ?, ?, ?)');
    for (const f of r.files) addFile.run(releaseId, f.path, f.digest, f.size, f.mode);
    crash('catalog-tx-files-inserted');
    const addImage = db.prepare('INSERT INTO release_images (release_id, ref, digest, media_type, size, descriptor_json) VALUES (?, ?, ?, ?, ?, ?)');
    for (const i of r.images) addImage.run(releaseId, i.ref, i.digest, i.mediaType, i.size, JSON.stringify(i.descriptor));
    const addSbom = db.prepare('INSERT INTO release_sboms (release_id, path, format, spec_version, digest, subject) VALUES (?, ?, ?, ?, ?, ?)');
    const addPackage = db.prepare('INSERT INTO sbom_packages (release_id, sbom_path, name, version, license, purl) VALUES (?, ?, ?, ?, ?, ?)');
    for (const s of r.sboms) {
      addSbom.run(releaseId, s.path, s.format, s.specVersion, s.digest, s.subject);
      for (const p of s.packages) addPackage.run(releaseId, s.path, p.name, p.version, p.license, p.purl);
    }
    const addAttestation = db.prepare('INSERT INTO release_attestations (release_id, path, predicate_type, digest, size) VALUES (?, ?, ?, ?, ?)');
    for (const a of r.attestations) addAttestation.run(releaseId, a.path, a.predicateType, a.digest, a.size);
    const addMigration = db.prepare('INSERT INTO release_migrations (release_id, seq, id, database_id, path, digest, destructive) VALUES (?, ?, ?, ?, ?, ?, ?)');
    r.migrations.forEach((m, seq) => addMigration.run(releaseId, seq, m.id, m.database, m.path, m.digest, m.destructive ? 1 : 0));
    return releaseId;
  }
}
