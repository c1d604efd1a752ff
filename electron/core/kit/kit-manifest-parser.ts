// kit.json (KIT-FORMAT §5): read only after the signature and its digest check
// passed (kit-verifier) or, for preflight, labelled unverified by the caller.
import { AirlockError } from '../../../shared/airlock-error.ts';
import { KIT_MANIFEST_MAX_BYTES, formatFieldPath, kitManifestSchema, type KitManifest } from '../../../shared/kit-manifest.ts';
import { normalizeKitPath } from './kit-path-rules.ts';
import { MANIFEST_PATH } from './sha256sums.ts';

export const DEFAULT_PAYLOAD_PREFIX = 'payload/';
export const DEFAULT_IMAGES_PREFIX = 'images/';
export const SUPPORTED_KIT_MAJOR = 1;

function invalid(message: string, field?: string): AirlockError {
  return new AirlockError('KIT_MANIFEST_INVALID', message, { path: MANIFEST_PATH, ...(field === undefined ? {} : { field }) });
}

/** Parses kit.json bytes: size, UTF-8, JSON, schema major, then the shared zod schema. */
export function parseKitManifest(bytes: Uint8Array): KitManifest {
  if (bytes.byteLength > KIT_MANIFEST_MAX_BYTES) throw invalid(`kit.json is ${bytes.byteLength} bytes; the limit is ${KIT_MANIFEST_MAX_BYTES}`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw invalid('kit.json is not valid UTF-8');
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw invalid(`kit.json is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw invalid('kit.json must hold a JSON object');
  const schema = (doc as Record<string, unknown>).schema;
  if (typeof schema !== 'string' || !schema.startsWith('airlock.kit/v')) {
    throw invalid('kit.json field "schema" must be "airlock.kit/v1"', 'schema');
  }
  const major = /^airlock\.kit\/v([0-9]+)(?:\.[0-9]+)*$/.exec(schema);
  if (!major) throw invalid(`kit.json field "schema": "${schema}" is not a kit format version`, 'schema');
  if (Number(major[1]) !== SUPPORTED_KIT_MAJOR) {
    throw new AirlockError('KIT_SCHEMA', `kit.json says "${schema}"; this Airlock reads airlock.kit/v${SUPPORTED_KIT_MAJOR} kits`, {
      path: MANIFEST_PATH,
      field: 'schema',
      details: { schema },
    });
  }
  const result = kitManifestSchema.safeParse(doc);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const field = formatFieldPath(issue.path);
    throw invalid(`kit.json field "${field || '(root)'}": ${issue.message}`, field || undefined);
  }
  return result.data;
}

/** The OCI layout prefix: `images` when set, else "images/" when images/oci-layout exists, else none. */
export function imagesPrefixOf(manifest: KitManifest, hasFile: (path: string) => boolean): string | null {
  if (manifest.images !== undefined) return manifest.images;
  return hasFile(`${DEFAULT_IMAGES_PREFIX}oci-layout`) ? DEFAULT_IMAGES_PREFIX : null;
}

/** A kit path named in kit.json must already be in normal form. */
function checkPathField(field: string, value: string, kind: 'file' | 'prefix'): string {
  let normal: string;
  try {
    normal = normalizeKitPath(value, { directory: kind === 'prefix' });
  } catch (error) {
    throw invalid(`kit.json field "${field}": ${(error as Error).message}`, field);
  }
  if (kind === 'prefix') {
    if (!value.endsWith('/')) throw invalid(`kit.json field "${field}": a path prefix must end with "/" ("${value}/")`, field);
    normal += '/';
  }
  if (normal !== value) throw invalid(`kit.json field "${field}": write the path as "${normal}"`, field);
  return normal;
}

/**
 * Every path kit.json names must be a file or a prefix present in the kit
 * (KIT-FORMAT §5). `files` holds the kit's regular files, sorted byte-wise.
 */
export function checkManifestPaths(manifest: KitManifest, files: ReadonlySet<string>): void {
  const fileField = (field: string, value: string): void => {
    const p = checkPathField(field, value, 'file');
    if (!files.has(p)) throw invalid(`kit.json field "${field}" names "${p}", which is not a file in the kit`, field);
  };
  const hasPrefix = (prefix: string): boolean => {
    for (const f of files) if (f.startsWith(prefix)) return true;
    return false;
  };
  const prefixField = (field: string, value: string | undefined, fallback: string | null): void => {
    if (value === undefined) {
      if (fallback !== null) checkPathField(field, fallback, 'prefix');
      return;
    }
    const p = checkPathField(field, value, 'prefix');
    if (!hasPrefix(p)) throw invalid(`kit.json field "${field}" names "${p}", but the kit holds no file under it`, field);
  };
  const installPath = (field: string, value: string): void => {
    try {
      normalizeKitPath(value);
    } catch (error) {
      throw invalid(`kit.json field "${field}": ${(error as Error).message}`, field);
    }
  };

  if (manifest.releaseNotes !== undefined) fileField('releaseNotes', manifest.releaseNotes);
  prefixField('payload', manifest.payload, DEFAULT_PAYLOAD_PREFIX);
  prefixField('images', manifest.images, null);
  manifest.sboms?.forEach((s, i) => fileField(`sboms[${i}].path`, s.path));
  manifest.attestations?.forEach((a, i) => fileField(`attestations[${i}].path`, a.path));
  manifest.migrations?.forEach((m, i) => fileField(`migrations[${i}].path`, m.path));
  // These are paths under the install root, not in the kit: they must only be safe.
  manifest.databases?.forEach((d, i) => installPath(`databases[${i}].path`, d.path));
  manifest.health?.forEach((h, i) => {
    if (h.type === 'file') installPath(`health[${i}].path`, h.path);
  });
}
