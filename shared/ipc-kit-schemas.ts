// Data that crosses the IPC boundary about kits: errors, progress, the kits the
// main process offers, and a verification result. Schemas mirror the plain
// types in shared/ (the services return those types; the dispatcher checks
// every response against these schemas before it leaves the main side).
import { z } from 'zod';
import { ERROR_CODES, type ErrorCode } from './error-catalog.ts';
import { kitManifestSchema } from './kit-manifest.ts';

const nonNegative = z.number().nonnegative();
const count = z.number().int().nonnegative();
const hex64 = z.string().regex(/^[0-9a-f]{64}$/);

export const errorPayloadSchema = z.object({
  code: z.enum(ERROR_CODES as [ErrorCode, ...ErrorCode[]]),
  message: z.string(),
  path: z.string().optional(),
  field: z.string().optional(),
  remedy: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});

export const progressEventSchema = z.object({
  phase: z.string(),
  bytesDone: nonNegative,
  bytesTotal: nonNegative.nullable(),
  itemsDone: count,
  itemsTotal: count.nullable(),
  rate: nonNegative,
  eta: nonNegative.nullable(),
});

/** An opaque id the main process hands out for a kit path it found or was given; the renderer only ever sends ids back. */
export const kitHandleIdSchema = z.string().regex(/^kit_[0-9a-f]{32}$/, 'must be a kit handle handed out by Airlock');

/** Client-chosen key for one long operation, used to route progress events and to cancel it. */
export const operationIdSchema = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'must be 8–64 letters, digits, "_" or "-"');

export const KIT_SOURCES = ['dialog', 'drop', 'removable', 'folder'] as const;
export const KIT_KINDS = ['archive', 'split', 'directory'] as const;

export const kitCandidateSchema = z.object({
  id: kitHandleIdSchema,
  /** File or folder name, for display. */
  name: z.string(),
  /** Where the kit is, for reading only: the renderer never sends it back. */
  displayPath: z.string(),
  kind: z.enum(KIT_KINDS),
  /** Archive size (all parts for a split kit); null for an unpacked folder. */
  sizeBytes: nonNegative.nullable(),
  source: z.enum(KIT_SOURCES),
  /** The drive or folder it was found on, in plain words. */
  location: z.string(),
});

export const kitSearchRootSchema = z.object({
  kind: z.enum(['removable', 'folder']),
  label: z.string(),
  path: z.string(),
  found: count,
  /** Why the root could not be searched (unreadable, gone), when it could not. */
  problem: z.string().optional(),
});

export const kitScanSchema = z.object({
  kits: z.array(kitCandidateSchema),
  searched: z.array(kitSearchRootSchema),
});

const signerIdentitySchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('key'), keyHint: z.string(), fingerprint: hex64 }),
  z.object({ kind: z.literal('keyless'), subject: z.string(), issuer: z.string(), certificateSha256: hex64 }),
]);

export const signatureVerdictSchema = z.object({
  signer: signerIdentitySchema,
  publisher: z.string(),
  bundleMediaType: z.string(),
  content: z.enum(['message-signature', 'dsse']),
  tlogEntries: z.array(z.object({ logIndex: z.string(), logId: z.string(), integratedTime: z.string().optional(), kind: z.string() })),
  timestamps: z.array(z.object({ source: z.enum(['transparency-log', 'rfc3161']), time: z.string() })),
});

export const kitVerificationSchema = z.object({
  name: z.string(),
  version: z.string(),
  channel: z.string(),
  created: z.string(),
  publisher: z.string().nullable(),
  manifest: kitManifestSchema,
  sumsSha256: hex64,
  signature: signatureVerdictSchema,
  container: z.object({
    kind: z.enum(['archive', 'directory']),
    compression: z.enum(['none', 'gzip', 'zstd']),
    parts: count.nullable(),
    bytesRead: nonNegative,
  }),
  fileCount: count,
  totalBytes: nonNegative,
  images: z.array(z.object({ ref: z.string(), digest: z.string(), mediaType: z.string() })),
  singlePass: z.boolean(),
});

export { signerIdentitySchema };
