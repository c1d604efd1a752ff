// Turns the trust flags or a policy file into loaded material: KeyObjects,
// parsed trusted roots, compiled identity matchers and thresholds. Everything
// that can be wrong with the trust configuration fails here, before a kit is
// read, and names the file and field at fault.
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toTrustMaterial, type TrustMaterial } from '@sigstore/verify';
import { AirlockError } from '../../../shared/airlock-error.ts';
import {
  effectiveThresholds,
  parseTrustPolicyFile,
  PUBLIC_GOOD_ROOT,
  TRUST_POLICY_MAX_BYTES,
  type PublisherThresholds,
} from '../../../shared/trust-policy.ts';
import { loadPublicKey, type PublicKeyIdentity } from './key-identity.ts';

/** What the CLI trust flags (or the UI) say; see electron/cli/trust-flags.ts. */
/** The trust policy the desktop app's Settings edit, inside the data directory; the CLI uses it when given no trust flags. */
export const DEFAULT_TRUST_POLICY_FILE = 'trust-policy.json';

export interface TrustInput {
  policyFile?: string;
  keyFiles?: string[];
  trustedRootFile?: string;
  identity?: string;
  issuer?: string;
}

export interface PinnedKey extends PublicKeyIdentity {
  /** Key file path, or the policy field that held the PEM inline. */
  source: string;
}

export interface KeylessIdentityRule {
  issuer: string;
  /** Exact subject (compared as a string), or the anchored pattern as written. */
  subject?: string;
  subjectPattern?: string;
  matchesSubject(subject: string): boolean;
  /** Human form for messages: `subject "x"` or `subject matching /^x$/`. */
  describe: string;
}

export interface LoadedTrustedRoot {
  /** File path the root was read from. */
  source: string;
  root: TrustedRoot;
  /** Parsed authorities (public-key lookup is filled in per publisher). */
  material: Omit<TrustMaterial, 'publicKey'>;
}

export interface ResolvedPublisher extends PublisherThresholds {
  name: string;
  /** Policy field of this publisher, e.g. `publishers[1]` (for messages). */
  field: string;
  keys: PinnedKey[];
  keyless: KeylessIdentityRule[];
  trustedRoot: LoadedTrustedRoot | undefined;
  allowDowngrade: boolean;
}

export interface ResolvedTrustPolicy {
  /** The policy file, or "command line" for flags. */
  source: string;
  publishers: ResolvedPublisher[];
}

export interface ResolveTrustOptions {
  /** Folder holding sigstore/public-good-trusted-root.json; defaults to the checkout's resources/. */
  resourcesDir?: string;
}

export const CLI_KEYS_PUBLISHER = 'cli-keys';
export const CLI_KEYLESS_PUBLISHER = 'cli-keyless';
export const PUBLIC_GOOD_ROOT_FILE = 'sigstore/public-good-trusted-root.json';
const TRUSTED_ROOT_MAX_BYTES = 4 * 1024 * 1024;
const KEY_MAX_BYTES = 64 * 1024;
const TRUSTED_ROOT_MEDIA_TYPE_RE = /^application\/vnd\.dev\.sigstore\.trustedroot(\.v0\.\d+)?\+json(;version=0\.\d+)?$/;

export function defaultResourcesDir(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../resources');
}

export function publicGoodTrustedRootPath(resourcesDir = defaultResourcesDir()): string {
  return path.join(resourcesDir, PUBLIC_GOOD_ROOT_FILE);
}

async function readLimited(file: string, limit: number, tooLargeCode: 'POLICY_INVALID' | 'KEY_INVALID' | 'TRUSTED_ROOT_INVALID', field?: string): Promise<Buffer> {
  let bytes: Buffer;
  try {
    const stat = await fs.stat(file);
    if (!stat.isFile()) throw new AirlockError('IO_ERROR', `${file} is not a regular file`, { path: file, ...(field ? { field } : {}) });
    if (stat.size > limit) throw new AirlockError(tooLargeCode, `${file} is larger than ${limit} bytes`, { path: file, ...(field ? { field } : {}) });
    bytes = await fs.readFile(file);
  } catch (error) {
    if (error instanceof AirlockError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'is not readable (permission denied)' : `cannot be read (${(error as Error).message})`;
    throw new AirlockError('IO_ERROR', `${file} ${why}`, { path: file, ...(field ? { field } : {}), cause: error });
  }
  return bytes;
}

function subjectRule(issuer: string, subject: string | undefined, subjectPattern: string | undefined): KeylessIdentityRule {
  if (subject !== undefined) {
    // Exact identities are compared as strings: sigstore-js would treat them as
    // an unanchored regular expression, where "." matches anything.
    return { issuer, subject, matchesSubject: (s) => s === subject, describe: `subject "${subject}"` };
  }
  const body = subjectPattern!.slice(1, -1);
  const re = new RegExp(`^(?:${body})$`, 'u');
  return { issuer, subjectPattern, matchesSubject: (s) => re.test(s), describe: `subject matching /${subjectPattern}/` };
}

/** Reads and checks a Sigstore trusted_root.json. */
export async function loadTrustedRoot(file: string, field?: string): Promise<LoadedTrustedRoot> {
  const bytes = await readLimited(file, TRUSTED_ROOT_MAX_BYTES, 'TRUSTED_ROOT_INVALID', field);
  const bad = (why: string, cause?: unknown): AirlockError =>
    new AirlockError('TRUSTED_ROOT_INVALID', `${file}: ${why}`, { path: file, ...(field ? { field } : {}), ...(cause === undefined ? {} : { cause }) });
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw bad(`not JSON (${(error as Error).message})`, error);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw bad('not a JSON object');
  const mediaType = (json as { mediaType?: unknown }).mediaType;
  if (typeof mediaType !== 'string' || !TRUSTED_ROOT_MEDIA_TYPE_RE.test(mediaType)) {
    throw bad(`mediaType ${JSON.stringify(mediaType ?? null)} is not a Sigstore trusted root (application/vnd.dev.sigstore.trustedroot…+json)`);
  }
  let root: TrustedRoot;
  let material: TrustMaterial;
  try {
    root = TrustedRoot.fromJSON(json);
    // Parsing every certificate and key now turns a damaged root into a
    // configuration error instead of a confusing verdict later.
    material = toTrustMaterial(root);
  } catch (error) {
    throw bad(`cannot be parsed (${(error as Error).message})`, error);
  }
  const { certificateAuthorities, timestampAuthorities, tlogs, ctlogs } = material;
  return { source: file, root, material: { certificateAuthorities, timestampAuthorities, tlogs, ctlogs } };
}

async function loadKeyFile(file: string, field?: string): Promise<PinnedKey> {
  const bytes = await readLimited(file, KEY_MAX_BYTES, 'KEY_INVALID', field);
  try {
    return { ...loadPublicKey(bytes.toString('utf8'), file), source: file };
  } catch (error) {
    if (error instanceof AirlockError && field) {
      throw new AirlockError(error.code, error.message, { path: file, field, cause: error });
    }
    throw error;
  }
}

async function resolvePolicyFile(policyFile: string, options: ResolveTrustOptions): Promise<ResolvedTrustPolicy> {
  const bytes = await readLimited(policyFile, TRUST_POLICY_MAX_BYTES, 'POLICY_INVALID');
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new AirlockError('POLICY_INVALID', `${policyFile} is not JSON (${(error as Error).message})`, { path: policyFile, cause: error });
  }
  const policy = parseTrustPolicyFile(json, policyFile);
  const baseDir = path.dirname(policyFile);
  const roots = new Map<string, Promise<LoadedTrustedRoot>>();
  const publishers: ResolvedPublisher[] = [];
  for (const [i, p] of policy.publishers.entries()) {
    const field = `publishers[${i}]`;
    const keys: PinnedKey[] = [];
    for (const [k, key] of (p.keys ?? []).entries()) {
      if (key.path !== undefined) {
        keys.push(await loadKeyFile(path.resolve(baseDir, key.path), `${field}.keys[${k}].path`));
      } else {
        const keyField = `${field}.keys[${k}].pem`;
        try {
          keys.push({ ...loadPublicKey(key.pem!, `${policyFile} ${keyField}`), source: keyField });
        } catch (error) {
          throw new AirlockError('KEY_INVALID', (error as Error).message, { path: policyFile, field: keyField, cause: error });
        }
      }
    }
    let trustedRoot: LoadedTrustedRoot | undefined;
    if (p.trustedRoot !== undefined) {
      const rootFile = p.trustedRoot === PUBLIC_GOOD_ROOT
        ? publicGoodTrustedRootPath(options.resourcesDir)
        : path.resolve(baseDir, p.trustedRoot);
      let pending = roots.get(rootFile);
      if (!pending) {
        pending = loadTrustedRoot(rootFile, `${field}.trustedRoot`);
        roots.set(rootFile, pending);
      }
      trustedRoot = await pending;
    }
    const keyless = (p.keyless ?? []).map((k) => subjectRule(k.issuer, k.subject, k.subjectPattern));
    if (keyless.length > 0 && trustedRoot && trustedRoot.material.certificateAuthorities.length === 0) {
      throw new AirlockError('TRUSTED_ROOT_INVALID', `${trustedRoot.source} lists no certificate authority, so no keyless identity of publisher "${p.name}" can verify`, {
        path: trustedRoot.source,
        field: `${field}.trustedRoot`,
      });
    }
    publishers.push({
      name: p.name,
      field,
      keys,
      keyless,
      trustedRoot,
      allowDowngrade: p.allowDowngrade ?? false,
      ...effectiveThresholds(p),
    });
  }
  return { source: policyFile, publishers };
}

/**
 * CLI flags map to a one-publisher policy: `--key` files → "cli-keys" (keys
 * only, thresholds 0); `--trusted-root --identity --issuer` → "cli-keyless"
 * (exact subject, at least one log entry and one timestamp).
 */
export async function resolveTrustPolicy(input: TrustInput, options: ResolveTrustOptions = {}): Promise<ResolvedTrustPolicy> {
  if (input.policyFile !== undefined) return resolvePolicyFile(input.policyFile, options);
  if (input.keyFiles !== undefined && input.keyFiles.length > 0) {
    const keys: PinnedKey[] = [];
    for (const file of input.keyFiles) keys.push(await loadKeyFile(file));
    return {
      source: 'command line',
      publishers: [{ name: CLI_KEYS_PUBLISHER, field: '--key', keys, keyless: [], trustedRoot: undefined, allowDowngrade: false, tlogThreshold: 0, timestampThreshold: 0, ctlogThreshold: 0 }],
    };
  }
  if (input.trustedRootFile !== undefined && input.identity !== undefined && input.issuer !== undefined) {
    if (input.identity.trim() === '') throw new AirlockError('USAGE', '--identity must not be empty', { field: '--identity' });
    if (input.issuer.trim() === '') throw new AirlockError('USAGE', '--issuer must not be empty', { field: '--issuer' });
    const trustedRoot = await loadTrustedRoot(input.trustedRootFile, '--trusted-root');
    if (trustedRoot.material.certificateAuthorities.length === 0) {
      throw new AirlockError('TRUSTED_ROOT_INVALID', `${trustedRoot.source} lists no certificate authority, so no keyless signature can verify`, { path: trustedRoot.source, field: '--trusted-root' });
    }
    return {
      source: 'command line',
      publishers: [{
        name: CLI_KEYLESS_PUBLISHER,
        field: '--identity',
        keys: [],
        keyless: [subjectRule(input.issuer, input.identity, undefined)],
        trustedRoot,
        allowDowngrade: false,
        tlogThreshold: 1,
        timestampThreshold: 1,
        ctlogThreshold: 1,
      }],
    };
  }
  throw new AirlockError('USAGE', 'say whom to trust: --key PUB.pem, or --trusted-root FILE --identity SUBJECT --issuer URL, or --policy FILE', { field: '--key' });
}
