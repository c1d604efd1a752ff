// Data that crosses the IPC boundary about installing: the plan, the live
// steps of an install or rollback, the result, the install root's status and
// history, and rollback plans. These mirror the install service's plain result
// types (electron/core/install/install-types.ts); the handlers return those
// core values where these are expected, so the compiler keeps the two in step,
// and the dispatcher drops whatever the window has no use for.
//
// The install root is never part of a request: the main process decides it
// (Settings in the desktop app, `airlock serve --root DIR` in console mode).
import { z } from 'zod';
import { ERROR_CODES, type ErrorCode } from './error-catalog.ts';
import { preflightReportSchema } from './preflight.ts';
import { operationIdSchema, signerIdentitySchema } from './ipc-kit-schemas.ts';
import { releaseRefSchema } from './ipc-registry-schemas.ts';

const count = z.number().int().nonnegative();
const nonNegative = z.number().nonnegative();
const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
/** A catalog operation id (the number `airlock status` and the evidence export show). */
export const catalogOperationSchema = z.number().int().positive();

/** Something that stops the install (blocker) or needs the admin's acknowledgement (warning). */
export const planIssueSchema = z.object({
  code: z.enum([...(ERROR_CODES as [ErrorCode, ...ErrorCode[]]), 'PREFLIGHT_WARN', 'DESTRUCTIVE_MIGRATION']),
  message: z.string(),
  path: z.string().optional(),
  field: z.string().optional(),
  details: z.record(z.string(), z.unknown()).optional(),
});

const destructiveFindingSchema = z.object({
  kind: z.enum(['drop-table', 'drop-column', 'rename', 'drop-unique-index', 'delete-without-where', 'update-without-where']),
  statement: count,
  line: count,
  target: z.string(),
  sql: z.string(),
});

const healthCheckSchema = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('file'), path: z.string() }),
  z.looseObject({ type: z.literal('sql'), database: z.string(), query: z.string() }),
]);

export const INSTALL_KINDS = ['fresh', 'upgrade', 'downgrade', 'repair'] as const;

export const installPlanSchema = z.object({
  root: z.string(),
  name: z.string(),
  kind: z.enum(INSTALL_KINDS),
  from: z.object({ version: z.string(), sumsSha256: z.string().nullable() }).nullable(),
  to: z.object({
    name: z.string(),
    version: z.string(),
    sumsSha256: z.string(),
    channel: z.string(),
    publisher: z.string().nullable(),
    trustPublisher: z.string(),
    signer: signerIdentitySchema,
  }),
  files: z.object({
    added: z.array(z.string()),
    changed: z.array(z.string()),
    removed: z.array(z.string()),
    unchanged: count,
    total: count,
    bytes: nonNegative,
    basis: z.string(),
    reuse: z.boolean(),
  }),
  images: z.array(z.object({ ref: z.string(), digest: z.string() })),
  databases: z.array(z.object({ id: z.string(), path: z.string(), exists: z.boolean(), sizeBytes: nonNegative })),
  migrations: z.array(z.object({
    id: z.string(),
    database: z.string(),
    path: z.string(),
    sha256: z.string(),
    markedDestructive: z.boolean(),
    findings: z.array(destructiveFindingSchema),
    action: z.enum(['apply', 'skip']),
    statements: count,
  })),
  destructive: z.object({ present: z.boolean(), permitted: z.boolean(), needsConfirmation: z.boolean() }),
  health: z.array(healthCheckSchema),
  disk: z.object({ path: z.string(), neededBytes: nonNegative, freeBytes: nonNegative.nullable(), basis: z.string() }),
  preflight: z.object({ verdict: z.enum(['pass', 'warn', 'fail']), report: preflightReportSchema }),
  retention: z.object({ keep: count, wouldPrune: z.array(z.string()) }),
  warnings: z.array(planIssueSchema),
  blockers: z.array(planIssueSchema),
});

/**
 * A plan as the window receives it: the plan, and a digest of the facts the
 * admin confirms (release, from/to, migrations, destructive flags, preflight
 * warnings). install.run sends the digest back; the install starts only if the
 * plan it rebuilds has the same digest, so nothing changes between what was
 * read and what runs.
 */
export const installPlanResultSchema = z.object({ plan: installPlanSchema, planDigest: hex64 });

/** The steps of an install or rollback as the install service records them. */
export const INSTALL_STEP_NAMES = ['backup', 'materialize', 'migrate', 'switch', 'health', 'commit'] as const;
export const ROLLBACK_STEP_NAMES = ['backup', 'restore', 'switch', 'health', 'commit'] as const;
export const STEP_OUTCOMES = ['pending', 'running', 'succeeded', 'failed', 'skipped', 'interrupted'] as const;

export const operationStepSchema = z.object({
  /** One of INSTALL_STEP_NAMES / ROLLBACK_STEP_NAMES, or "rollback" (the automatic undo after a failure). */
  name: z.string(),
  outcome: z.enum(STEP_OUTCOMES),
  startedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  /** What the step did, in the service's words (digests, counts). */
  detail: z.string().nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});

/** Sent while an install or rollback runs: the whole step list each time (small), and whether cancel still works. */
export const operationStepsEventSchema = z.object({
  operationId: operationIdSchema,
  /** The catalog operation, once the service has recorded it. */
  catalogOperationId: catalogOperationSchema.nullable(),
  steps: z.array(operationStepSchema),
  /** False from the point of no return on (the switch to the new release), and for a rollback. */
  cancellable: z.boolean(),
});

export const installRunRequestSchema = z.strictObject({
  release: releaseRefSchema.strict(),
  operationId: operationIdSchema,
  planDigest: hex64,
  /** The admin read the preflight warnings (needed when the plan has any). */
  acknowledgeWarnings: z.boolean(),
  /** The admin confirmed the destructive migrations (needed when the plan says so). */
  allowDestructive: z.boolean(),
});

const healthResultSchema = z.object({ index: count, check: healthCheckSchema, ok: z.boolean(), observed: z.string() });
const backupRecordSchema = z.object({
  id: z.string(),
  path: z.string(),
  state: z.enum(['present', 'absent']),
  sha256: z.string().nullable(),
  size: nonNegative.nullable(),
});

export const installResultSchema = z.object({
  operationId: catalogOperationSchema,
  kind: z.enum(INSTALL_KINDS),
  from: z.string().nullable(),
  to: z.string(),
  active: z.string(),
  backups: z.array(backupRecordSchema),
  migrations: z.array(z.object({ id: z.string(), database: z.string(), sha256: z.string(), outcome: z.enum(['applied', 'skipped']) })),
  health: z.array(healthResultSchema),
  pruned: z.array(z.string()),
  /** The recorded steps, as the last steps event showed them. */
  steps: z.array(operationStepSchema),
});

const recoverySchema = z.object({
  operationId: catalogOperationSchema,
  type: z.enum(['install', 'rollback']),
  kind: z.string(),
  from: z.string().nullable(),
  to: z.string(),
  phase: z.string(),
  action: z.enum(['rolled-back', 'completed']),
  active: z.string().nullable(),
  message: z.string(),
});

export const statusReleaseSchema = z.object({
  version: z.string(),
  sumsSha256: z.string(),
  installedAt: z.string(),
  activatedAt: z.string(),
  active: z.boolean(),
  rollbackTarget: z.boolean(),
  dirPresent: z.boolean(),
  leftBackup: z
    .object({
      operationId: catalogOperationSchema,
      takenAt: z.string(),
      databases: z.array(backupRecordSchema.extend({ problem: z.string().nullable() })),
    })
    .nullable(),
});

export const statusOperationSchema = z.object({
  id: catalogOperationSchema,
  type: z.string(),
  status: z.string(),
  kind: z.string().nullable(),
  from: z.string().nullable(),
  to: z.string().nullable(),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  failedStep: z.string().nullable(),
  steps: z.array(z.object({ name: z.string(), outcome: z.string(), startedAt: z.string(), endedAt: z.string().nullable() })),
});

/** Where installs go, and who decided it. */
export const installRootSchema = z.object({
  path: z.string().nullable(),
  /** "settings": chosen in Settings; "command-line": `airlock serve --root DIR`; "unset": not chosen yet. */
  source: z.enum(['settings', 'command-line', 'unset']),
  /** True when the window may change it (the desktop app, with its folder dialog). */
  editable: z.boolean(),
});

export const installStatusSchema = z.object({
  root: z.string(),
  exists: z.boolean(),
  name: z.string().nullable(),
  active: z.string().nullable(),
  switchStrategy: z.enum(['symlink', 'pointer-file']),
  keep: count,
  releases: z.array(statusReleaseSchema),
  lastOperation: statusOperationSchema.nullable(),
  recovery: recoverySchema.nullable(),
  busy: z.object({ pid: z.number().int(), host: z.string(), command: z.string(), startedAt: z.string() }).nullable(),
});

/** Releases view: the installed and retained releases and the root's operations, newest first. */
export const releasesListSchema = z.object({
  status: installStatusSchema,
  history: z.array(statusOperationSchema),
  /** More operations exist than `history` holds (the CLI's `airlock audit list` shows them all). */
  moreHistory: z.boolean(),
});

export const rollbackPlanSchema = z.object({
  root: z.string(),
  name: z.string(),
  from: z.string(),
  to: z.string(),
  restore: z
    .object({ operationId: catalogOperationSchema, takenAt: z.string(), databases: z.array(backupRecordSchema) })
    .nullable(),
  backUp: z.array(z.object({ id: z.string(), path: z.string() })),
  health: z.array(healthCheckSchema),
  retention: z.object({ keep: count, wouldPrune: z.array(z.string()) }),
  blockers: z.array(planIssueSchema),
});

export const rollbackPlanResultSchema = z.object({ plan: rollbackPlanSchema, planDigest: hex64 });

export const rollbackRunRequestSchema = z.strictObject({
  to: z.string().min(1).max(128),
  operationId: operationIdSchema,
  planDigest: hex64,
});

export const rollbackResultSchema = z.object({
  operationId: catalogOperationSchema,
  from: z.string(),
  to: z.string(),
  active: z.string(),
  restored: z.array(z.object({ id: z.string(), sha256: z.string().nullable() })),
  health: z.array(healthResultSchema),
  pruned: z.array(z.string()),
  steps: z.array(operationStepSchema),
});

export type InstallPlanData = z.infer<typeof installPlanSchema>;
export type InstallPlanResult = z.infer<typeof installPlanResultSchema>;
export type OperationStep = z.infer<typeof operationStepSchema>;
export type OperationStepsEvent = z.infer<typeof operationStepsEventSchema>;
export type InstallResultData = z.infer<typeof installResultSchema>;
export type InstallStatusData = z.infer<typeof installStatusSchema>;
export type InstallRootData = z.infer<typeof installRootSchema>;
export type RollbackPlanData = z.infer<typeof rollbackPlanSchema>;
export type RollbackResultData = z.infer<typeof rollbackResultSchema>;
export type StatusOperationData = z.infer<typeof statusOperationSchema>;
