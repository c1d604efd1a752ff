// Data that crosses the IPC boundary about the local registry. These mirror the
// registry's plain result types (electron/core/registry/registry-types.ts);
// electron/services/airlock-handlers.ts returns the core types where these are
// expected, so the compiler keeps the two in step.
import { z } from 'zod';
import { KIT_NAME_RE, isSemver } from './kit-manifest.ts';
import { signatureVerdictSchema, signerIdentitySchema } from './ipc-kit-schemas.ts';

const count = z.number().int().nonnegative();
const nonNegative = z.number().nonnegative();

export const releaseRefSchema = z.object({
  name: z.string().regex(KIT_NAME_RE, 'must be a kit name'),
  version: z.string().refine(isSemver, 'must be a SemVer version'),
});

export const releaseSummarySchema = releaseRefSchema.extend({
  channel: z.string(),
  created: z.string(),
  publisher: z.string().nullable(),
  trustPublisher: z.string(),
  signer: signerIdentitySchema,
  sumsSha256: z.string(),
  fileCount: count,
  totalBytes: nonNegative,
  imageCount: count,
  importedAt: z.string(),
  importOperationId: z.number().int(),
});

const releaseFileSchema = z.object({ path: z.string(), digest: z.string(), size: nonNegative, mode: z.number().int() });
const releaseImageSchema = z.object({ ref: z.string(), digest: z.string(), mediaType: z.string(), size: nonNegative });

export const releaseDetailSchema = releaseSummarySchema.extend({
  calendar: z.string().nullable(),
  description: z.string().nullable(),
  signature: signatureVerdictSchema,
  sumsDigest: z.string(),
  bundleDigest: z.string(),
  manifestDigest: z.string(),
  files: z.array(releaseFileSchema),
  images: z.array(releaseImageSchema),
  sboms: z.array(z.object({
    path: z.string(),
    format: z.enum(['spdx-json', 'cyclonedx-json']),
    specVersion: z.string(),
    digest: z.string(),
    subject: z.string().nullable(),
    packageCount: count,
  })),
  packages: z.array(z.object({
    sbomPath: z.string(),
    name: z.string(),
    version: z.string().nullable(),
    license: z.string().nullable(),
    purl: z.string().nullable(),
  })),
  attestations: z.array(z.object({ path: z.string(), predicateType: z.string(), digest: z.string(), size: nonNegative })),
  migrations: z.array(z.object({ id: z.string(), database: z.string(), path: z.string(), digest: z.string(), destructive: z.boolean() })),
});

const fileStateSchema = z.object({ digest: z.string(), size: nonNegative, mode: z.number().int() });
const packageStateSchema = z.object({ name: z.string(), purl: z.string().nullable(), versions: z.array(z.string()), licenses: z.array(z.string()) });
const packageSideSchema = z.object({ versions: z.array(z.string()), licenses: z.array(z.string()) });
const imageSideSchema = z.object({ digest: z.string(), mediaType: z.string() });

export const releaseDiffSchema = z.object({
  from: releaseRefSchema,
  to: releaseRefSchema,
  files: z.object({
    added: z.array(releaseFileSchema),
    removed: z.array(releaseFileSchema),
    changed: z.array(z.object({ path: z.string(), from: fileStateSchema, to: fileStateSchema })),
    unchanged: count,
  }),
  images: z.object({
    added: z.array(releaseImageSchema),
    removed: z.array(releaseImageSchema),
    changed: z.array(z.object({ ref: z.string(), from: imageSideSchema, to: imageSideSchema })),
    unchanged: count,
  }),
  packages: z.object({
    added: z.array(packageStateSchema),
    removed: z.array(packageStateSchema),
    changed: z.array(z.object({ name: z.string(), purl: z.string().nullable(), from: packageSideSchema, to: packageSideSchema })),
    unchanged: count,
  }),
});

export const importResultSchema = z.object({
  status: z.enum(['imported', 'unchanged']),
  release: releaseSummarySchema,
  operationId: z.number().int().nullable(),
  blobsWritten: count,
  blobsReused: count,
  bytesWritten: nonNegative,
  check: z.enum(['quick', 'full']),
});

export type ReleaseRefData = z.infer<typeof releaseRefSchema>;
export type ReleaseSummaryData = z.infer<typeof releaseSummarySchema>;
export type ReleaseDetailData = z.infer<typeof releaseDetailSchema>;
export type ReleaseDiffData = z.infer<typeof releaseDiffSchema>;
export type ImportResultData = z.infer<typeof importResultSchema>;
