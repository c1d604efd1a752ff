import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AirlockError } from '../../../shared/airlock-error.ts';
import { effectiveThresholds, parseTrustPolicyFile, checkSubjectPattern } from '../../../shared/trust-policy.ts';
import { publicGoodTrustedRootPath, resolveTrustPolicy } from '../../../electron/core/trust/trust-policy.ts';
import { makeP256KeyPair, writeKeyPair } from '../../helpers/sigstore-keys.ts';

const SCHEMA = 'airlock.trust-policy/v1';
const GH = 'https://token.actions.githubusercontent.com';

let dir: string;
let pubPem: string;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'airlock-policy-'));
  await fs.mkdir(path.join(dir, 'policies', 'keys'), { recursive: true });
  const { pair } = await writeKeyPair(path.join(dir, 'policies', 'keys'), 'acme');
  pubPem = pair.publicPem;
  await fs.copyFile(publicGoodTrustedRootPath(), path.join(dir, 'policies', 'root.json'));
});

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

function policyError(document: unknown): AirlockError {
  try {
    parseTrustPolicyFile(document, 'policy.json');
  } catch (error) {
    expect(error).toBeInstanceOf(AirlockError);
    expect((error as AirlockError).code).toBe('POLICY_INVALID');
    return error as AirlockError;
  }
  throw new Error('expected POLICY_INVALID');
}

async function resolveError(promise: Promise<unknown>, code: string): Promise<AirlockError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(AirlockError);
    expect((error as AirlockError).code, (error as Error).message).toBe(code);
    return error as AirlockError;
  }
  throw new Error(`expected ${code}`);
}

async function writePolicy(name: string, document: unknown): Promise<string> {
  const file = path.join(dir, 'policies', name);
  await fs.writeFile(file, typeof document === 'string' ? document : JSON.stringify(document));
  return file;
}

const keyless = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  name: 'acme',
  keyless: [{ issuer: GH, subject: 'https://github.com/acme/kits/.github/workflows/release.yml@refs/heads/main' }],
  trustedRoot: 'public-good',
  ...extra,
});

describe('policy file rules (POLICY_INVALID naming the field)', () => {
  it.each([
    ['wrong schema', { schema: 'something/v1', publishers: [] }, 'schema'],
    ['no publishers', { schema: SCHEMA, publishers: [] }, 'publishers'],
    ['publisher with neither keys nor keyless', { schema: SCHEMA, publishers: [{ name: 'a' }] }, 'publishers[0].keys'],
    ['empty name', { schema: SCHEMA, publishers: [{ name: ' ', keys: [{ path: 'k.pem' }] }] }, 'publishers[0].name'],
    ['key with path and pem', { schema: SCHEMA, publishers: [{ name: 'a', keys: [{ path: 'k.pem', pem: 'x' }] }] }, 'publishers[0].keys[0].path'],
    ['key with neither', { schema: SCHEMA, publishers: [{ name: 'a', keys: [{}] }] }, 'publishers[0].keys[0].path'],
    ['keyless without trustedRoot', { schema: SCHEMA, publishers: [keyless({ trustedRoot: undefined })] }, 'publishers[0].trustedRoot'],
    ['keyless with tlogThreshold 0', { schema: SCHEMA, publishers: [keyless({ tlogThreshold: 0 })] }, 'publishers[0].tlogThreshold'],
    ['keyless with timestampThreshold 0', { schema: SCHEMA, publishers: [keyless({ timestampThreshold: 0 })] }, 'publishers[0].timestampThreshold'],
    ['negative threshold', { schema: SCHEMA, publishers: [{ name: 'a', keys: [{ path: 'k' }], ctlogThreshold: -1 }] }, 'publishers[0].ctlogThreshold'],
    ['fractional threshold', { schema: SCHEMA, publishers: [keyless({ tlogThreshold: 1.5 })] }, 'publishers[0].tlogThreshold'],
    ['keys-only requiring log entries without a root', { schema: SCHEMA, publishers: [{ name: 'a', keys: [{ path: 'k' }], tlogThreshold: 1 }] }, 'publishers[0].tlogThreshold'],
    ['keys-only requiring timestamps without a root', { schema: SCHEMA, publishers: [{ name: 'a', keys: [{ path: 'k' }], timestampThreshold: 1 }] }, 'publishers[0].timestampThreshold'],
    ['unanchored subjectPattern', { schema: SCHEMA, publishers: [keyless({ keyless: [{ issuer: GH, subject: 'x' }, { issuer: GH, subjectPattern: 'release@acme' }] })] }, 'publishers[0].keyless[1].subjectPattern'],
    ['pattern anchored only at the start', { schema: SCHEMA, publishers: [keyless({ keyless: [{ issuer: GH, subjectPattern: '^release@acme' }] })] }, 'publishers[0].keyless[0].subjectPattern'],
    ['pattern ending in an escaped dollar', { schema: SCHEMA, publishers: [keyless({ keyless: [{ issuer: GH, subjectPattern: '^release\\$' }] })] }, 'publishers[0].keyless[0].subjectPattern'],
    ['invalid regular expression', { schema: SCHEMA, publishers: [keyless({ keyless: [{ issuer: GH, subjectPattern: '^(unclosed$' }] })] }, 'publishers[0].keyless[0].subjectPattern'],
    ['subject and subjectPattern together', { schema: SCHEMA, publishers: [keyless({ keyless: [{ issuer: GH, subject: 'a', subjectPattern: '^a$' }] })] }, 'publishers[0].keyless[0].subject'],
    ['identity without issuer', { schema: SCHEMA, publishers: [keyless({ keyless: [{ subject: 'a' }] })] }, 'publishers[0].keyless[0].issuer'],
    ['allowDowngrade not boolean', { schema: SCHEMA, publishers: [keyless({ allowDowngrade: 'yes' })] }, 'publishers[0].allowDowngrade'],
    ['duplicate publisher names', { schema: SCHEMA, publishers: [keyless(), keyless()] }, 'publishers[1].name'],
  ])('%s', (_label, document, field) => {
    const error = policyError(document);
    expect(error.field).toBe(field);
    expect(error.message).toContain(field);
    expect(error.path).toBe('policy.json');
  });

  it('refuses a newer policy schema with a clear message', () => {
    const error = policyError({ schema: 'airlock.trust-policy/v2', publishers: [] });
    expect(error.message).toMatch(/not supported/);
  });

  it('keeps unknown fields and fills threshold defaults', () => {
    const parsed = parseTrustPolicyFile({ schema: SCHEMA, comment: 'hi', publishers: [keyless({ note: 'n' }), { name: 'k', keys: [{ path: 'k.pem', label: 'old' }] }] });
    expect((parsed as Record<string, unknown>).comment).toBe('hi');
    expect((parsed.publishers[0] as Record<string, unknown>).note).toBe('n');
    expect((parsed.publishers[1]!.keys![0] as Record<string, unknown>).label).toBe('old');
    expect(effectiveThresholds(parsed.publishers[0]!)).toEqual({ tlogThreshold: 1, timestampThreshold: 1, ctlogThreshold: 1 });
    expect(effectiveThresholds(parsed.publishers[1]!)).toEqual({ tlogThreshold: 0, timestampThreshold: 0, ctlogThreshold: 0 });
  });

  it('checkSubjectPattern accepts anchored patterns only', () => {
    expect(checkSubjectPattern('^release-[0-9]+@acme\\.example$')).toBeUndefined();
    expect(checkSubjectPattern('^$')).toBeUndefined();
    expect(checkSubjectPattern('release$')).toMatch(/anchored/);
  });
});

describe('resolveTrustPolicy', () => {
  it('resolves key paths relative to the policy file, inline PEM keys, and the public-good root', async () => {
    const file = await writePolicy('relative.json', {
      schema: SCHEMA,
      publishers: [
        { name: 'acme', keys: [{ path: 'keys/acme.pub.pem' }, { pem: makeP256KeyPair().publicPem }], allowDowngrade: true },
        keyless({ name: 'acme-ci' }),
        keyless({ name: 'acme-local', trustedRoot: 'root.json', tlogThreshold: 2 }),
      ],
    });
    const policy = await resolveTrustPolicy({ policyFile: file });
    expect(policy.source).toBe(file);
    const [keys, ci, local] = policy.publishers;
    expect(keys!.keys).toHaveLength(2);
    expect(keys!.keys[0]!.source).toBe(path.join(dir, 'policies', 'keys', 'acme.pub.pem'));
    expect(keys!.keys[0]!.publicKeyPem).toBe(pubPem);
    expect(keys!.keys[1]!.source).toBe('publishers[0].keys[1].pem');
    expect(keys!).toMatchObject({ allowDowngrade: true, tlogThreshold: 0, timestampThreshold: 0, trustedRoot: undefined });
    expect(ci!.trustedRoot!.source).toBe(publicGoodTrustedRootPath());
    expect(ci!.trustedRoot!.material.tlogs.length).toBeGreaterThan(0);
    expect(ci!.trustedRoot!.material.certificateAuthorities.length).toBeGreaterThan(0);
    expect(ci!).toMatchObject({ allowDowngrade: false, tlogThreshold: 1, timestampThreshold: 1, ctlogThreshold: 1 });
    expect(ci!.keyless[0]!.matchesSubject('https://github.com/acme/kits/.github/workflows/release.yml@refs/heads/main')).toBe(true);
    expect(ci!.keyless[0]!.matchesSubject('https://github.com/acme/kits/.github/workflows/release.yml@refs/heads/mainX')).toBe(false);
    expect(local!.trustedRoot!.source).toBe(path.join(dir, 'policies', 'root.json'));
    expect(local!.tlogThreshold).toBe(2);
  });

  it('matches a subjectPattern over the whole subject, even with a top-level alternation', async () => {
    const file = await writePolicy('pattern.json', { schema: SCHEMA, publishers: [keyless({ keyless: [{ issuer: GH, subjectPattern: '^a@acme\\.example$|^b@acme\\.example$' }] })] });
    const rule = (await resolveTrustPolicy({ policyFile: file })).publishers[0]!.keyless[0]!;
    expect(rule.matchesSubject('a@acme.example')).toBe(true);
    expect(rule.matchesSubject('b@acme.example')).toBe(true);
    expect(rule.matchesSubject('a@acme.example.evil')).toBe(false);
    expect(rule.matchesSubject('evil-b@acme.example')).toBe(false);
  });

  it('maps --key files to the keys-only publisher "cli-keys"', async () => {
    const policy = await resolveTrustPolicy({ keyFiles: [path.join(dir, 'policies', 'keys', 'acme.pub.pem')] });
    expect(policy.publishers).toHaveLength(1);
    expect(policy.publishers[0]).toMatchObject({ name: 'cli-keys', tlogThreshold: 0, timestampThreshold: 0, ctlogThreshold: 0, keyless: [], trustedRoot: undefined });
  });

  it('maps --trusted-root/--identity/--issuer to "cli-keyless" with thresholds 1', async () => {
    const policy = await resolveTrustPolicy({ trustedRootFile: publicGoodTrustedRootPath(), identity: 'x@y.example', issuer: GH });
    expect(policy.publishers[0]).toMatchObject({ name: 'cli-keyless', tlogThreshold: 1, timestampThreshold: 1, keys: [] });
    expect(policy.publishers[0]!.keyless[0]).toMatchObject({ issuer: GH, subject: 'x@y.example' });
  });

  it('reports unreadable and invalid inputs with their own codes and paths', async () => {
    const missing = path.join(dir, 'nope.json');
    expect((await resolveError(resolveTrustPolicy({ policyFile: missing }), 'IO_ERROR')).path).toBe(missing);
    const notJson = await writePolicy('bad.json', '{');
    expect((await resolveError(resolveTrustPolicy({ policyFile: notJson }), 'POLICY_INVALID')).path).toBe(notJson);
    const missingKey = await writePolicy('missing-key.json', { schema: SCHEMA, publishers: [{ name: 'a', keys: [{ path: 'keys/none.pem' }] }] });
    const ioError = await resolveError(resolveTrustPolicy({ policyFile: missingKey }), 'IO_ERROR');
    expect(ioError.field).toBe('publishers[0].keys[0].path');
    const badKeyFile = path.join(dir, 'policies', 'keys', 'bad.pem');
    await fs.writeFile(badKeyFile, 'not a key');
    const badKey = await writePolicy('bad-key.json', { schema: SCHEMA, publishers: [{ name: 'a', keys: [{ path: 'keys/bad.pem' }] }] });
    const keyError = await resolveError(resolveTrustPolicy({ policyFile: badKey }), 'KEY_INVALID');
    expect(keyError).toMatchObject({ path: badKeyFile, field: 'publishers[0].keys[0].path' });
    const badPem = await writePolicy('bad-pem.json', { schema: SCHEMA, publishers: [{ name: 'a', keys: [{ pem: '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----' }] }] });
    expect((await resolveError(resolveTrustPolicy({ policyFile: badPem }), 'KEY_INVALID')).field).toBe('publishers[0].keys[0].pem');
    expect((await resolveError(resolveTrustPolicy({ keyFiles: [path.join(dir, 'absent.pem')] }), 'IO_ERROR')).path).toBe(path.join(dir, 'absent.pem'));
  });

  it('refuses a damaged trusted root with TRUSTED_ROOT_INVALID', async () => {
    const cases: [string, string][] = [
      ['not-json.json', '{'],
      ['wrong-type.json', JSON.stringify({ mediaType: 'application/json' })],
      ['bad-key.json', JSON.stringify({ mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1', tlogs: [{ baseUrl: 'x', hashAlgorithm: 'SHA2_256', publicKey: { rawBytes: 'AAAA', keyDetails: 'PKIX_ECDSA_P256_SHA_256' }, logId: { keyId: 'AAAA' } }], certificateAuthorities: [], ctlogs: [], timestampAuthorities: [] })],
      ['no-ca.json', JSON.stringify({ mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1', tlogs: [], certificateAuthorities: [], ctlogs: [], timestampAuthorities: [] })],
    ];
    for (const [name, content] of cases) {
      const file = path.join(dir, name);
      await fs.writeFile(file, content);
      const error = await resolveError(resolveTrustPolicy({ trustedRootFile: file, identity: 'a', issuer: 'b' }), 'TRUSTED_ROOT_INVALID');
      expect(error.path).toBe(file);
    }
    await fs.copyFile(path.join(dir, 'no-ca.json'), path.join(dir, 'policies', 'no-ca.json'));
    const viaPolicy = await writePolicy('no-ca-policy.json', { schema: SCHEMA, publishers: [keyless({ trustedRoot: 'no-ca.json' })] });
    expect((await resolveError(resolveTrustPolicy({ policyFile: viaPolicy }), 'TRUSTED_ROOT_INVALID')).field).toBe('publishers[0].trustedRoot');
  });
});
