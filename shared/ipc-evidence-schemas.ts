// Data that crosses the IPC boundary about evidence: the workstation key,
// exported evidence bundles, and the audit chain. Mirrors the evidence core's
// result types (electron/core/evidence); the handlers return those values.
//
// An exported bundle is named to the window by an opaque handle, like a kit:
// the window asks main to open that bundle's folder, or (console mode)
// downloads its report.pdf from a URL main built. It never sends a path.
import { z } from 'zod';
import { catalogOperationSchema } from './ipc-install-schemas.ts';

const count = z.number().int().nonnegative();
const hex64 = z.string().regex(/^[0-9a-f]{64}$/);

export const evidenceHandleSchema = z.string().regex(/^ev_[0-9a-f]{32}$/, 'must be an evidence handle handed out by Airlock');

export const workstationKeySchema = z.object({
  /** Hex SHA-256 of the public key (SPKI DER): what auditors compare out of band. */
  fingerprint: hex64,
  /** The public half, for handing to auditors. */
  publicKeyPath: z.string(),
});

export const auditHeadSchema = z.object({ seq: z.number().int().positive(), hash: hex64 });

export const evidenceVerdictSchema = z.object({
  status: z.enum(['pass', 'fail', 'incomplete']),
  headline: z.string(),
  reasons: z.array(z.string()),
});

export const evidenceExportRequestSchema = z.strictObject({ operation: catalogOperationSchema });

export const evidenceExportResultSchema = z.object({
  handle: evidenceHandleSchema,
  /** The bundle's folder, for reading (the window opens it through evidence.openFolder). */
  folder: z.string(),
  operationId: catalogOperationSchema,
  operationType: z.string(),
  verdict: evidenceVerdictSchema,
  auditHead: auditHeadSchema.nullable(),
  workstationFingerprint: hex64,
  files: z.array(z.object({ path: z.string(), sha256: hex64, size: z.number().nonnegative() })),
  /** Hex SHA-256 of EVIDENCE.SHA256SUMS: names this bundle's content. */
  evidenceSumsSha256: hex64,
  /** Console mode: where the browser downloads report.pdf (same origin, this session only); null in the desktop app. */
  reportDownload: z.string().nullable(),
});

export const auditStatusSchema = z.object({
  ok: z.boolean(),
  /** Records in the chain (all of them when it is OK; up to the break otherwise). */
  count,
  head: auditHeadSchema.nullable(),
  /** The first record that does not check out, when the chain is broken. */
  firstBadSeq: z.number().int().positive().nullable(),
  reason: z.string().nullable(),
});

export const AUDIT_PAGE_SIZES = [10, 25, 50, 100] as const;

export const auditListRequestSchema = z.strictObject({
  /** 0 is the newest page. */
  page: z.number().int().nonnegative().max(1_000_000),
  pageSize: z.union(AUDIT_PAGE_SIZES.map((n) => z.literal(n)) as [z.ZodLiteral<10>, z.ZodLiteral<25>, z.ZodLiteral<50>, z.ZodLiteral<100>]),
});

export const auditRecordSchema = z.object({
  seq: z.number().int().positive(),
  time: z.string(),
  actor: z.string(),
  host: z.string(),
  type: z.string(),
  operationId: z.number().int().nullable(),
  data: z.record(z.string(), z.unknown()),
  hash: hex64,
});

export const auditListSchema = z.object({
  /** Newest first. */
  records: z.array(auditRecordSchema),
  total: count,
  page: count,
  pageSize: count,
});

export type WorkstationKeyData = z.infer<typeof workstationKeySchema>;
export type EvidenceExportData = z.infer<typeof evidenceExportResultSchema>;
export type AuditStatusData = z.infer<typeof auditStatusSchema>;
export type AuditListData = z.infer<typeof auditListSchema>;
export type AuditRecordData = z.infer<typeof auditRecordSchema>;
