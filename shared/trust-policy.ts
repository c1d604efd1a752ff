// The trust policy FILE (KIT-FORMAT §8): whom the installer trusts to sign kits.
// Shared so the renderer's Settings can edit it with the same rules the core
// enforces. Unknown fields are kept (loose objects) so a newer policy still
// reads. Paths in it are resolved by the core against the policy's folder.
import { z } from 'zod';
import { AirlockError } from './airlock-error.ts';
import { formatFieldPath } from './kit-manifest.ts';

export const TRUST_POLICY_SCHEMA_V1 = 'airlock.trust-policy/v1';
/** The pinned Sigstore public-good root that ships with Airlock (resources/sigstore). */
export const PUBLIC_GOOD_ROOT = 'public-good';
export const TRUST_POLICY_MAX_BYTES = 1024 * 1024;

const nonEmpty = z.string().trim().min(1, 'must not be empty');
const threshold = z.number().int('must be a whole number').min(0, 'must be 0 or more').max(16, 'must be 16 or less');

const policyKeySchema = z
  .looseObject({ path: nonEmpty.optional(), pem: nonEmpty.optional() })
  .superRefine((k, ctx) => {
    if ((k.path === undefined) === (k.pem === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['path'], message: 'give exactly one of "path" (a PEM file) or "pem" (the PEM text)' });
    }
  });

/**
 * A subjectPattern must say where it starts and ends; an unanchored pattern
 * such as "acme" would also trust "evil-acme". The core matches it as
 * ^(?:…)$ over the whole subject as well, so "^a|b$" cannot leak either.
 */
export function checkSubjectPattern(pattern: string): string | undefined {
  if (!pattern.startsWith('^') || !pattern.endsWith('$') || pattern.endsWith('\\$') || pattern.length < 2) {
    return 'must be anchored: start with ^ and end with $ (for example "^release-[0-9]+@acme\\.example$")';
  }
  try {
    new RegExp(pattern, 'u');
  } catch (error) {
    return `is not a valid regular expression: ${(error as Error).message}`;
  }
  return undefined;
}

const keylessIdentitySchema = z
  .looseObject({
    issuer: nonEmpty,
    subject: nonEmpty.optional(),
    subjectPattern: z.string().optional(),
  })
  .superRefine((k, ctx) => {
    if ((k.subject === undefined) === (k.subjectPattern === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['subject'], message: 'give exactly one of "subject" (exact) or "subjectPattern" (anchored regular expression)' });
    }
    if (k.subjectPattern !== undefined) {
      const problem = checkSubjectPattern(k.subjectPattern);
      if (problem) ctx.addIssue({ code: 'custom', path: ['subjectPattern'], message: problem });
    }
  });

const publisherSchema = z
  .looseObject({
    name: nonEmpty.max(128, 'must be at most 128 characters'),
    keys: z.array(policyKeySchema).optional(),
    keyless: z.array(keylessIdentitySchema).optional(),
    trustedRoot: nonEmpty.optional(),
    tlogThreshold: threshold.optional(),
    timestampThreshold: threshold.optional(),
    ctlogThreshold: threshold.optional(),
    allowDowngrade: z.boolean().optional(),
  })
  .superRefine((p, ctx) => {
    const hasKeys = (p.keys?.length ?? 0) > 0;
    const hasKeyless = (p.keyless?.length ?? 0) > 0;
    if (!hasKeys && !hasKeyless) {
      ctx.addIssue({ code: 'custom', path: ['keys'], message: 'a publisher needs pinned "keys" or "keyless" identities (or both)' });
    }
    if (hasKeyless) {
      if (p.trustedRoot === undefined) {
        ctx.addIssue({ code: 'custom', path: ['trustedRoot'], message: `keyless identities need a pinned Sigstore "trustedRoot" (a trusted_root.json path, or "${PUBLIC_GOOD_ROOT}")` });
      }
      for (const field of ['tlogThreshold', 'timestampThreshold'] as const) {
        if (p[field] === 0) {
          ctx.addIssue({ code: 'custom', path: [field], message: 'must be at least 1 for a publisher with keyless identities (0 is allowed only for pinned keys)' });
        }
      }
    } else if (p.trustedRoot === undefined) {
      for (const field of ['tlogThreshold', 'timestampThreshold'] as const) {
        if ((p[field] ?? 0) > 0) {
          ctx.addIssue({ code: 'custom', path: [field], message: 'requiring log entries or timestamps needs a "trustedRoot" that pins the log and timestamp authority keys' });
        }
      }
    }
  });

export const trustPolicyFileSchema = z
  .looseObject({
    schema: z.literal(TRUST_POLICY_SCHEMA_V1, { message: `must be "${TRUST_POLICY_SCHEMA_V1}"` }),
    publishers: z.array(publisherSchema).min(1, 'must list at least one publisher'),
  })
  .superRefine((policy, ctx) => {
    const seen = new Set<string>();
    policy.publishers.forEach((p, i) => {
      if (seen.has(p.name)) ctx.addIssue({ code: 'custom', path: ['publishers', i, 'name'], message: `duplicate publisher name "${p.name}"` });
      seen.add(p.name);
    });
  });

export type TrustPolicyFile = z.infer<typeof trustPolicyFileSchema>;
export type TrustPolicyPublisher = TrustPolicyFile['publishers'][number];
export type TrustPolicyKeylessIdentity = NonNullable<TrustPolicyPublisher['keyless']>[number];

export interface PublisherThresholds {
  tlogThreshold: number;
  timestampThreshold: number;
  ctlogThreshold: number;
}

/** Defaults: 0 for a keys-only publisher (offline signing has no log), 1 with keyless identities. */
export function effectiveThresholds(p: TrustPolicyPublisher): PublisherThresholds {
  const keyless = (p.keyless?.length ?? 0) > 0;
  const fallback = keyless ? 1 : 0;
  return {
    tlogThreshold: p.tlogThreshold ?? fallback,
    timestampThreshold: p.timestampThreshold ?? fallback,
    ctlogThreshold: p.ctlogThreshold ?? fallback,
  };
}

/** Parses a policy document; the first problem becomes POLICY_INVALID naming its field. */
export function parseTrustPolicyFile(document: unknown, sourcePath?: string): TrustPolicyFile {
  if (typeof document === 'object' && document !== null && 'schema' in document) {
    const schema = (document as { schema: unknown }).schema;
    if (typeof schema === 'string' && schema !== TRUST_POLICY_SCHEMA_V1 && schema.startsWith('airlock.trust-policy/')) {
      throw new AirlockError('POLICY_INVALID', `trust policy schema "${schema}" is not supported (this Airlock reads "${TRUST_POLICY_SCHEMA_V1}")`, {
        field: 'schema',
        ...(sourcePath === undefined ? {} : { path: sourcePath }),
      });
    }
  }
  const result = trustPolicyFileSchema.safeParse(document);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = formatFieldPath(issue.path) || '(document)';
  throw new AirlockError('POLICY_INVALID', `trust policy: ${field}: ${issue.message}`, {
    field,
    ...(sourcePath === undefined ? {} : { path: sourcePath }),
    details: { issues: result.error.issues.map((i) => ({ field: formatFieldPath(i.path), message: i.message })) },
  });
}
