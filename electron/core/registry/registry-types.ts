// What the registry reports about its releases. Plain data: printed by the
// CLI with --json and, later, sent over IPC.
import type { SignatureVerdict, SignerIdentity } from '../../../shared/kit-verification.ts';

export interface ReleaseRef {
  name: string;
  version: string;
}

export interface ReleaseSummary extends ReleaseRef {
  channel: string;
  created: string;
  /** kit.json's free-text publisher. */
  publisher: string | null;
  /** The trust-policy publisher whose key or identity verified the kit. */
  trustPublisher: string;
  signer: SignerIdentity;
  /** Hex SHA-256 of SHA256SUMS: the kit's identity. */
  sumsSha256: string;
  fileCount: number;
  totalBytes: number;
  imageCount: number;
  importedAt: string;
  importOperationId: number;
}

export interface ReleaseFile {
  path: string;
  /** "sha256:<hex>". */
  digest: string;
  size: number;
  /** 0o755 or 0o644. */
  mode: number;
}

export interface ReleaseImage {
  ref: string;
  /** Digest of the manifest (or index) the reference names. */
  digest: string;
  mediaType: string;
  size: number;
}

export interface ReleaseSbom {
  path: string;
  format: 'spdx-json' | 'cyclonedx-json';
  specVersion: string;
  digest: string;
  subject: string | null;
  packageCount: number;
}

export interface ReleasePackage {
  sbomPath: string;
  name: string;
  version: string | null;
  license: string | null;
  purl: string | null;
}

export interface ReleaseAttestation {
  path: string;
  predicateType: string;
  digest: string;
  size: number;
}

export interface ReleaseMigration {
  id: string;
  database: string;
  path: string;
  digest: string;
  destructive: boolean;
}

export interface ReleaseDetail extends ReleaseSummary {
  calendar: string | null;
  description: string | null;
  signature: SignatureVerdict;
  sumsDigest: string;
  bundleDigest: string;
  manifestDigest: string;
  files: ReleaseFile[];
  images: ReleaseImage[];
  sboms: ReleaseSbom[];
  packages: ReleasePackage[];
  attestations: ReleaseAttestation[];
  migrations: ReleaseMigration[];
}

export interface FileChange {
  path: string;
  from: { digest: string; size: number; mode: number };
  to: { digest: string; size: number; mode: number };
}

export interface ImageChange {
  ref: string;
  from: { digest: string; mediaType: string };
  to: { digest: string; mediaType: string };
}

/** A package as the diff sees it: one per name and purl (without its version), all versions listed in the release's SBOMs. */
export interface PackageState {
  name: string;
  /** purl without "@version", qualifiers and subpath: the package's identity across versions. */
  purl: string | null;
  versions: string[];
  licenses: string[];
}

export interface PackageChange {
  name: string;
  purl: string | null;
  from: { versions: string[]; licenses: string[] };
  to: { versions: string[]; licenses: string[] };
}

export interface ReleaseDiff {
  from: ReleaseRef;
  to: ReleaseRef;
  files: { added: ReleaseFile[]; removed: ReleaseFile[]; changed: FileChange[]; unchanged: number };
  images: { added: ReleaseImage[]; removed: ReleaseImage[]; changed: ImageChange[]; unchanged: number };
  packages: { added: PackageState[]; removed: PackageState[]; changed: PackageChange[]; unchanged: number };
}

export interface ImportResult {
  /** 'unchanged': this exact kit was already in the registry; nothing was written. */
  status: 'imported' | 'unchanged';
  release: ReleaseSummary;
  operationId: number | null;
  blobsWritten: number;
  blobsReused: number;
  bytesWritten: number;
  /** Whether the unchanged verdict came from the quick check (root files only) or a full read. */
  check: 'quick' | 'full';
}
