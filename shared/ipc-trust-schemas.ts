// The trust policy as Settings sees and edits it. The renderer sends PEM text
// and identities, never file paths: a key "from a PEM file" is read in the
// page (the file picker hands over contents, not a path) and stored inline.
import { z } from 'zod';
import { checkSubjectPattern } from './trust-policy.ts';
import { errorPayloadSchema } from './ipc-kit-schemas.ts';

export const PEM_MAX_CHARS = 64 * 1024;
export const TRUSTED_ROOT_MAX_CHARS = 4 * 1024 * 1024;

const publisherName = z.string().trim().min(1, 'must not be empty').max(128, 'must be at most 128 characters');

export const addKeyRequestSchema = z.strictObject({
  publisher: publisherName,
  pem: z.string().min(1, 'paste or choose a PEM public key').max(PEM_MAX_CHARS, 'is larger than a public key can be'),
});

export const addKeylessRequestSchema = z
  .strictObject({
    publisher: publisherName,
    issuer: z.string().trim().url('must be the OIDC issuer URL, e.g. https://token.actions.githubusercontent.com'),
    subject: z.string().trim().min(1).optional(),
    subjectPattern: z.string().optional(),
    /** Contents of a trusted_root.json for a private Sigstore; absent: the pinned public-good root. */
    trustedRootJson: z.string().max(TRUSTED_ROOT_MAX_CHARS).optional(),
  })
  .superRefine((r, ctx) => {
    if ((r.subject === undefined) === (r.subjectPattern === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['subject'], message: 'give exactly one of an exact subject or an anchored pattern' });
    }
    if (r.subjectPattern !== undefined) {
      const problem = checkSubjectPattern(r.subjectPattern);
      if (problem) ctx.addIssue({ code: 'custom', path: ['subjectPattern'], message: problem });
    }
  });

export const removeTrustEntryRequestSchema = z.strictObject({
  publisher: publisherName,
  kind: z.enum(['key', 'keyless']),
  index: z.number().int().nonnegative(),
});

export const trustSettingsSchema = z.object({
  /** The policy file Airlock reads (shown so the admin can audit or back it up). */
  policyPath: z.string(),
  exists: z.boolean(),
  publishers: z.array(z.object({
    name: z.string(),
    keys: z.array(z.object({ fingerprint: z.string(), keyHint: z.string(), source: z.string() })),
    keyless: z.array(z.object({ issuer: z.string(), subject: z.string().nullable(), subjectPattern: z.string().nullable() })),
    trustedRoot: z.string().nullable(),
    tlogThreshold: z.number().int(),
    timestampThreshold: z.number().int(),
    allowDowngrade: z.boolean(),
  })),
  /** Set when the policy file exists but cannot be used; Settings shows it and verification refuses to run. */
  problem: errorPayloadSchema.optional(),
});

export type TrustSettings = z.infer<typeof trustSettingsSchema>;
export type AddKeyRequest = z.infer<typeof addKeyRequestSchema>;
export type AddKeylessRequest = z.infer<typeof addKeylessRequestSchema>;
