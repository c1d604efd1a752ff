// What a successful kit verification reports. Crosses IPC and is printed by
// `airlock kit verify --json`, so it is plain data.
import type { KitManifest } from './kit-manifest.ts';

export type SignerIdentity =
  | {
      kind: 'key';
      /** cosign key hint: base64 of the SHA-256 of the key's DER SubjectPublicKeyInfo. */
      keyHint: string;
      /** Hex SHA-256 of the DER SubjectPublicKeyInfo (what admins compare out of band). */
      fingerprint: string;
    }
  | {
      kind: 'keyless';
      /** Certificate subject alternative name (email or URI). */
      subject: string;
      /** OIDC issuer from the Fulcio certificate extension. */
      issuer: string;
      /** Hex SHA-256 of the leaf certificate DER. */
      certificateSha256: string;
    };

export interface TlogEntrySummary {
  logIndex: string;
  /** Hex log id. */
  logId: string;
  /** RFC 3339; absent for entries without an integrated time. */
  integratedTime?: string;
  kind: string;
}

export interface TimestampSummary {
  source: 'transparency-log' | 'rfc3161';
  /** RFC 3339. */
  time: string;
}

export interface SignatureVerdict {
  signer: SignerIdentity;
  /** Name of the trust-policy publisher whose key or identity matched. */
  publisher: string;
  bundleMediaType: string;
  content: 'message-signature' | 'dsse';
  tlogEntries: TlogEntrySummary[];
  timestamps: TimestampSummary[];
}

export type KitCompression = 'none' | 'gzip' | 'zstd';

export interface KitContainerInfo {
  kind: 'archive' | 'directory';
  compression: KitCompression;
  /** Number of parts for a split kit, else null. */
  parts: number | null;
  /** Bytes read from the medium (compressed size for archives). */
  bytesRead: number;
}

export interface KitImageSummary {
  ref: string;
  digest: string;
  mediaType: string;
}

export interface KitVerification {
  name: string;
  version: string;
  channel: string;
  created: string;
  publisher: string | null;
  manifest: KitManifest;
  /** Hex SHA-256 of the SHA256SUMS file: the kit's identity. */
  sumsSha256: string;
  signature: SignatureVerdict;
  container: KitContainerInfo;
  /** Regular files in the kit, root files included. */
  fileCount: number;
  /** Sum of regular file sizes (uncompressed). */
  totalBytes: number;
  images: KitImageSummary[];
  /** True when the three root entries came first and the kit was verified in a single pass with early signature check. */
  singlePass: boolean;
}
