import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AirlockError } from '../../../shared/airlock-error.ts';
import { inTotoStatement } from '../../../electron/core/trust/sign-blob.ts';
import { SignatureVerifier } from '../../../electron/core/trust/signature-verifier.ts';
import { resolveTrustPolicy, type ResolvedTrustPolicy } from '../../../electron/core/trust/trust-policy.ts';
import { createMockSigstore, type MockSigstore } from '../../helpers/sigstore-keys.ts';

const SUBJECT = 'https://github.com/acme/kits/.github/workflows/release.yml@refs/heads/main';
const ISSUER = 'https://token.actions.githubusercontent.com';
const DATA = Buffer.from('0000000000000000000000000000000000000000000000000000000000000000  kit.json\n');

let dir: string;
let sigstore: MockSigstore;
let foreign: MockSigstore;
let rootPath: string;

function bytes(json: unknown): Buffer {
  return Buffer.from(JSON.stringify(json));
}

function expectCode(fn: () => unknown, code: string): AirlockError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AirlockError);
    expect((error as AirlockError).code, (error as Error).message).toBe(code);
    return error as AirlockError;
  }
  throw new Error(`expected ${code}`);
}

async function policyFile(name: string, publishers: unknown[]): Promise<ResolvedTrustPolicy> {
  const file = path.join(dir, `${name}.json`);
  await fs.writeFile(file, JSON.stringify({ schema: 'airlock.trust-policy/v1', publishers }));
  return resolveTrustPolicy({ policyFile: file });
}

async function cliKeyless(identity = SUBJECT, issuer = ISSUER, root = rootPath): Promise<ResolvedTrustPolicy> {
  return resolveTrustPolicy({ trustedRootFile: root, identity, issuer });
}

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'airlock-keyless-'));
  sigstore = await createMockSigstore();
  foreign = await createMockSigstore();
  rootPath = path.join(dir, 'trusted_root.json');
  await fs.writeFile(rootPath, JSON.stringify(sigstore.trustedRoot));
  await fs.writeFile(path.join(dir, 'foreign_root.json'), JSON.stringify(foreign.trustedRoot));
});

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('keyless bundles from a local Sigstore instance', () => {
  it('verifies a message signature and reports the identity, log entry and timestamp', async () => {
    const bundle = await sigstore.signMessage(DATA, { subject: SUBJECT, issuer: ISSUER });
    const verdict = new SignatureVerifier(await cliKeyless()).verifyKitSums(bytes(bundle), DATA);
    const certDer = Buffer.from(((bundle.verificationMaterial as { certificate: { rawBytes: string } }).certificate.rawBytes), 'base64');
    expect(verdict.signer).toEqual({ kind: 'keyless', subject: SUBJECT, issuer: ISSUER, certificateSha256: createHash('sha256').update(certDer).digest('hex') });
    expect(verdict.publisher).toBe('cli-keyless');
    expect(verdict.content).toBe('message-signature');
    expect(verdict.bundleMediaType).toBe('application/vnd.dev.sigstore.bundle.v0.3+json');
    expect(verdict.tlogEntries).toHaveLength(1);
    const tlogKey = Buffer.from((sigstore.trustedRoot.tlogs as { publicKey: { rawBytes: string } }[])[0]!.publicKey.rawBytes, 'base64');
    expect(verdict.tlogEntries[0]!.logId).toBe(createHash('sha256').update(tlogKey).digest('hex'));
    expect(verdict.tlogEntries[0]!.kind).toBe('hashedrekord/0.0.1');
    expect(verdict.tlogEntries[0]!.integratedTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(verdict.timestamps).toEqual([{ source: 'transparency-log', time: verdict.tlogEntries[0]!.integratedTime }]);
  });

  it('counts an RFC 3161 timestamp from the pinned TSA', async () => {
    const bundle = await sigstore.signMessage(DATA, { subject: SUBJECT, issuer: ISSUER, tsa: true });
    const verdict = new SignatureVerifier(await cliKeyless()).verifyKitSums(bytes(bundle), DATA);
    expect(verdict.timestamps.map((t) => t.source).sort()).toEqual(['rfc3161', 'transparency-log']);
  });

  it('reports an RFC 3161 time that @sigstore/core cannot read as BUNDLE_INVALID', async () => {
    const policy = await cliKeyless();
    const bundle = await sigstore.signMessage(DATA, { subject: SUBJECT, issuer: ISSUER, tsa: true, tsaMillis: 120 });
    expect(expectCode(() => new SignatureVerifier(policy).verifyKitSums(bytes(bundle), DATA), 'BUNDLE_INVALID').message).toMatch(/RFC 3161 timestamp 0/);
  });

  it('refuses a wrong identity, naming what was found and what was expected', async () => {
    const policy = await cliKeyless();
    const bundle = await sigstore.signMessage(DATA, { subject: 'https://github.com/evil/kits/.github/workflows/release.yml@refs/heads/main', issuer: ISSUER });
    const error = expectCode(() => new SignatureVerifier(policy).verifyKitSums(bytes(bundle), DATA), 'SIG_UNTRUSTED');
    expect(error.message).toContain('evil/kits');
    expect(error.message).toContain(SUBJECT);
  });

  it('refuses a wrong issuer', async () => {
    const policy = await cliKeyless();
    const bundle = await sigstore.signMessage(DATA, { subject: SUBJECT, issuer: 'https://accounts.example' });
    const error = expectCode(() => new SignatureVerifier(policy).verifyKitSums(bytes(bundle), DATA), 'SIG_UNTRUSTED');
    expect(error.message).toContain('https://accounts.example');
  });

  it('compares an exact subject as a string, not as a regular expression', async () => {
    const exact = await cliKeyless('release@acme.example');
    const policy = await cliKeyless();
    const bundle = await sigstore.signMessage(DATA, { subject: 'release@acmeXexample', issuer: ISSUER });
    expectCode(() => new SignatureVerifier(exact).verifyKitSums(bytes(bundle), DATA), 'SIG_UNTRUSTED');
    const prefixed = await sigstore.signMessage(DATA, { subject: `${SUBJECT}-evil`, issuer: ISSUER });
    expectCode(() => new SignatureVerifier(policy).verifyKitSums(bytes(prefixed), DATA), 'SIG_UNTRUSTED');
  });

  it('matches an anchored subjectPattern over the whole subject', async () => {
    const policy = await policyFile('pattern', [{ name: 'acme', keyless: [{ issuer: ISSUER, subjectPattern: '^release-[0-9]+@acme\\.example$' }], trustedRoot: 'trusted_root.json' }]);
    const ok = await sigstore.signMessage(DATA, { subject: 'release-42@acme.example', issuer: ISSUER });
    expect(new SignatureVerifier(policy).verifyKitSums(bytes(ok), DATA).publisher).toBe('acme');
    const bad = await sigstore.signMessage(DATA, { subject: 'release-42@acme.example.evil', issuer: ISSUER });
    expectCode(() => new SignatureVerifier(policy).verifyKitSums(bytes(bad), DATA), 'SIG_UNTRUSTED');
  });

  it('refuses a tampered payload', async () => {
    const policy = await cliKeyless();
    const bundle = await sigstore.signMessage(DATA, { subject: SUBJECT, issuer: ISSUER });
    const tampered = Buffer.from(DATA);
    tampered[0] = 0x31;
    expectCode(() => new SignatureVerifier(policy).verifyKitSums(bytes(bundle), tampered), 'SIG_INVALID');
    // SIG_UNTRUSTED means a valid signature by someone not trusted: changed data stays SIG_INVALID.
    const stranger = await sigstore.signMessage(DATA, { subject: 'someone@else.example', issuer: ISSUER });
    expect(expectCode(() => new SignatureVerifier(policy).verifyKitSums(bytes(stranger), tampered), 'SIG_INVALID').message).toMatch(/key of its own certificate/);
  });

  it('refuses a certificate from a foreign trusted root', async () => {
    const policy = await cliKeyless();
    const bundle = await foreign.signMessage(DATA, { subject: SUBJECT, issuer: ISSUER });
    const error = expectCode(() => new SignatureVerifier(policy).verifyKitSums(bytes(bundle), DATA), 'SIG_UNTRUSTED');
    expect(error.message).toMatch(/not issued by a certificate authority in the trusted root/);
  });

  it('requires the log entries the policy asks for (SIG_TLOG)', async () => {
    const policy = await cliKeyless();
    const bundle = await sigstore.signMessage(DATA, { subject: SUBJECT, issuer: ISSUER, tlog: false, tsa: true });
    const error = expectCode(() => new SignatureVerifier(policy).verifyKitSums(bytes(bundle), DATA), 'SIG_TLOG');
    expect(error.message).toMatch(/expected 1 tlog entries, got 0/);
    const lenient = await policyFile('tlog0', [{ name: 'acme', keys: [], keyless: [{ issuer: ISSUER, subject: SUBJECT }], trustedRoot: 'trusted_root.json', tlogThreshold: 1, timestampThreshold: 1 }]);
    expectCode(() => new SignatureVerifier(lenient).verifyKitSums(bytes(bundle), DATA), 'SIG_TLOG');
  });

  it('requires the timestamps the policy asks for (SIG_TIMESTAMP)', async () => {
    const policy = await cliKeyless();
    // A log entry without its signed promise is included but gives no timestamp.
    const bundle = await sigstore.signMessage(DATA, { subject: SUBJECT, issuer: ISSUER, inclusionPromise: false });
    const error = expectCode(() => new SignatureVerifier(policy).verifyKitSums(bytes(bundle), DATA), 'SIG_TIMESTAMP');
    expect(error.message).toMatch(/expected 1 timestamps, got 0/);
    const two = await policyFile('ts2', [{ name: 'acme', keyless: [{ issuer: ISSUER, subject: SUBJECT }], trustedRoot: 'trusted_root.json', timestampThreshold: 2 }]);
    const oneTimestamp = await sigstore.signMessage(DATA, { subject: SUBJECT, issuer: ISSUER });
    expectCode(() => new SignatureVerifier(two).verifyKitSums(bytes(oneTimestamp), DATA), 'SIG_TIMESTAMP');
    const twoTimestamps = await sigstore.signMessage(DATA, { subject: SUBJECT, issuer: ISSUER, tsa: true });
    expect(new SignatureVerifier(two).verifyKitSums(bytes(twoTimestamps), DATA).timestamps).toHaveLength(2);
  });

  it('refuses timestamps later than the local clock', async () => {
    const policy = await cliKeyless();
    const bundle = await sigstore.signMessage(DATA, { subject: SUBJECT, issuer: ISSUER });
    const yesterday = new Date(Date.now() - 24 * 60 * 60 * 1000);
    const error = expectCode(() => new SignatureVerifier(policy, () => yesterday).verifyKitSums(bytes(bundle), DATA), 'SIG_TIMESTAMP');
    expect(error.message).toMatch(/later than this computer's clock/);
  });

  it('binds a keyless DSSE in-toto statement to SHA256SUMS', async () => {
    const policy = await cliKeyless();
    const digest = createHash('sha256').update(DATA).digest('hex');
    const statement = inTotoStatement([{ name: 'SHA256SUMS', sha256: digest }], 'https://airlock.dev/kit/v1', {});
    const bundle = await sigstore.signDsse(statement, 'application/vnd.in-toto+json', { subject: SUBJECT, issuer: ISSUER });
    const verdict = new SignatureVerifier(await cliKeyless()).verifyKitSums(bytes(bundle), DATA);
    expect(verdict.content).toBe('dsse');
    expect(verdict.tlogEntries[0]!.kind).toBe('dsse/0.0.1');
    expectCode(() => new SignatureVerifier(policy).verifyKitSums(bytes(bundle), Buffer.from('other sums\n')), 'SIG_INVALID');
  });

  it('tries every publisher and reports the most specific refusal', async () => {
    const other = await sigstore.signMessage(DATA, { subject: 'someone@else.example', issuer: ISSUER });
    const { generateKeyPairSync } = await import('node:crypto');
    const pub = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const policy = await policyFile('multi', [
      { name: 'keys-only', keys: [{ pem: pub }] },
      { name: 'acme', keyless: [{ issuer: ISSUER, subject: SUBJECT }], trustedRoot: 'trusted_root.json' },
      { name: 'foreign', keyless: [{ issuer: ISSUER, subject: 'someone@else.example' }], trustedRoot: 'foreign_root.json' },
    ]);
    const error = expectCode(() => new SignatureVerifier(policy).verifyKitSums(bytes(other), DATA), 'SIG_UNTRUSTED');
    expect(error.message).toContain('publisher "acme"');
    expect((error.details?.attempts as unknown[]).length).toBe(3);
    const good = await sigstore.signMessage(DATA, { subject: SUBJECT, issuer: ISSUER });
    expect(new SignatureVerifier(policy).verifyKitSums(bytes(good), DATA).publisher).toBe('acme');
  });
});
