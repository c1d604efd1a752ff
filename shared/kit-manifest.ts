// kit.json (KIT-FORMAT §5) as a zod schema. Unknown fields are kept (loose
// objects) so a newer minor kit still reads; an unknown major schema is refused
// before this schema runs (see parseKitManifest in electron/core/kit).
import { z } from 'zod';

/** SemVer 2.0.0, written out from the grammar at semver.org (no leading "v"). */
const SEMVER_RE =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

export function isSemver(value: string): boolean {
  return SEMVER_RE.test(value);
}

/** RFC 3339 in UTC ("Z"), and a real calendar instant. */
export function isRfc3339Utc(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?Z$/.exec(value);
  if (!m) return false;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const t = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d && h < 24 && mi < 60 && s < 60;
}

export const KIT_SCHEMA_V1 = 'airlock.kit/v1';
export const KIT_NAME_RE = /^[a-z0-9][a-z0-9._-]{0,63}$/;
export const MIGRATION_ID_RE = /^[0-9]{4}[-_][a-z0-9_-]+$/;
export const KIT_MANIFEST_MAX_BYTES = 1024 * 1024;

export const CHANNELS = ['lts', 'stable', 'candidate', 'edge', 'dev'] as const;
export const PLATFORM_OSES = ['rhel', 'rocky', 'almalinux', 'ubuntu', 'debian', 'windows'] as const;
export const ARCHES = ['x64', 'arm64'] as const;

const kitPath = z.string().min(1, 'must be a path inside the kit');
const nonNegativeInt = z.number().int().nonnegative();

const platformSchema = z.looseObject({
  os: z.enum(PLATFORM_OSES),
  versions: z.array(z.string().regex(/^\d+(\.\d+)*$/, 'must look like "9" or "22.04"')).min(1),
});

const requiresSchema = z.looseObject({
  platforms: z.array(platformSchema).optional(),
  arch: z.array(z.enum(ARCHES)).optional(),
  diskBytes: nonNegativeInt.optional(),
  memoryBytes: nonNegativeInt.optional(),
  cpus: nonNegativeInt.optional(),
  fips: z.enum(['required', 'forbidden', 'any']).optional(),
  upgradeFrom: z.string().min(1).optional(),
});

const sbomSchema = z.looseObject({
  path: kitPath,
  format: z.enum(['spdx-json', 'cyclonedx-json']),
  subject: z.string().optional(),
});

const attestationSchema = z.looseObject({
  path: kitPath,
  predicateType: z.string().min(1),
});

const databaseSchema = z.looseObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'must match ^[a-z0-9][a-z0-9_-]{0,63}$'),
  engine: z.literal('sqlite'),
  path: z.string().min(1),
});

const migrationSchema = z.looseObject({
  id: z.string().regex(MIGRATION_ID_RE, 'must match ^[0-9]{4}[-_][a-z0-9_-]+$'),
  database: z.string().min(1),
  path: kitPath,
  destructive: z.boolean().optional(),
});

const healthSchema = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('file'), path: z.string().min(1) }),
  z.looseObject({
    type: z.literal('sql'),
    database: z.string().min(1),
    query: z.string().min(1),
    expect: z.looseObject({ rows: nonNegativeInt.optional(), equals: z.unknown().optional() }),
  }),
]);

export const kitManifestSchema = z
  .looseObject({
    // Minor versions (airlock.kit/v1.N) only add fields, which are kept and ignored.
    schema: z.string().regex(/^airlock\.kit\/v1(\.[0-9]+)*$/, `must be "${KIT_SCHEMA_V1}"`),
    name: z.string().regex(KIT_NAME_RE, 'must match ^[a-z0-9][a-z0-9._-]{0,63}$'),
    version: z.string().refine(isSemver, 'must be a SemVer 2.0.0 version such as 1.4.0'),
    created: z.string().refine(isRfc3339Utc, 'must be an RFC 3339 UTC time such as 2026-01-31T12:00:00Z'),
    channel: z.enum(CHANNELS).optional(),
    calendar: z.string().regex(/^\d{4}\.(0[1-9]|1[0-2])$/, 'must be YYYY.MM').optional(),
    publisher: z.string().optional(),
    description: z.string().optional(),
    releaseNotes: kitPath.optional(),
    requires: requiresSchema.optional(),
    payload: kitPath.optional(),
    images: kitPath.optional(),
    sboms: z.array(sbomSchema).optional(),
    attestations: z.array(attestationSchema).optional(),
    databases: z.array(databaseSchema).optional(),
    migrations: z.array(migrationSchema).optional(),
    health: z.array(healthSchema).optional(),
  })
  .superRefine((m, ctx) => {
    const dbIds = new Set<string>();
    m.databases?.forEach((db, i) => {
      if (dbIds.has(db.id)) ctx.addIssue({ code: 'custom', path: ['databases', i, 'id'], message: `duplicate database id "${db.id}"` });
      dbIds.add(db.id);
    });
    let previous: string | undefined;
    m.migrations?.forEach((mig, i) => {
      if (previous !== undefined && !(mig.id > previous)) {
        ctx.addIssue({ code: 'custom', path: ['migrations', i, 'id'], message: `ids must be unique and strictly increasing ("${mig.id}" follows "${previous}")` });
      }
      previous = mig.id;
      if (!dbIds.has(mig.database)) {
        ctx.addIssue({ code: 'custom', path: ['migrations', i, 'database'], message: `names no database declared in "databases" ("${mig.database}")` });
      }
    });
    m.health?.forEach((h, i) => {
      if (h.type === 'sql' && !dbIds.has(h.database)) {
        ctx.addIssue({ code: 'custom', path: ['health', i, 'database'], message: `names no database declared in "databases" ("${h.database}")` });
      }
    });
  });

export type KitManifest = z.infer<typeof kitManifestSchema>;
export type KitChannel = (typeof CHANNELS)[number];

/** `requires.platforms[0].os` from a zod issue path. */
export function formatFieldPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}
