import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AirlockError } from '../../../shared/airlock-error.ts';
import { inTotoStatement, loadSigningKey, signDsseBundle, signMessageBundle, type SigningKey } from '../../../electron/core/trust/sign-blob.ts';
import { SignatureVerifier } from '../../../electron/core/trust/signature-verifier.ts';
import { resolveTrustPolicy, type ResolvedTrustPolicy } from '../../../electron/core/trust/trust-policy.ts';
import { makeEd25519KeyPair, writeKeyPair } from '../../helpers/sigstore-keys.ts';

const SUMS = Buffer.from('2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae  payload/foo.txt\n');

let dir: string;
let key: SigningKey;
let otherKey: SigningKey;
let policy: ResolvedTrustPolicy;

type BundleJson = Record<string, unknown> & { verificationMaterial: { publicKey: { hint: string } } };

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

async function expectCodeAsync(promise: Promise<unknown>, code: string): Promise<AirlockError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(AirlockError);
    expect((error as AirlockError).code, (error as Error).message).toBe(code);
    return error as AirlockError;
  }
  throw new Error(`expected ${code}`);
}

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'airlock-keys-'));
  const a = await writeKeyPair(dir, 'publisher');
  const b = await writeKeyPair(dir, 'other');
  key = loadSigningKey(a.pair.privatePem, a.privatePath);
  otherKey = loadSigningKey(b.pair.privatePem, b.privatePath);
  policy = await resolveTrustPolicy({ keyFiles: [a.publicPath] });
});

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('key-based message signatures', () => {
  it('round-trips a bundle made by the signer', () => {
    const verdict = new SignatureVerifier(policy).verifyKitSums(bytes(signMessageBundle(SUMS, key)), SUMS);
    expect(verdict).toEqual({
      signer: { kind: 'key', keyHint: key.keyHint, fingerprint: key.fingerprint },
      publisher: 'cli-keys',
      bundleMediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
      content: 'message-signature',
      tlogEntries: [],
      timestamps: [],
    });
  });

  it('refuses a signature by a key the policy does not list (SIG_UNTRUSTED, naming the hint)', () => {
    const error = expectCode(() => new SignatureVerifier(policy).verifyKitSums(bytes(signMessageBundle(SUMS, otherKey)), SUMS), 'SIG_UNTRUSTED');
    expect(error.message).toContain(`signed by key ${otherKey.keyHint}, which the policy does not list`);
    expect(error.path).toBe('SHA256SUMS.sigstore.json');
  });

  it('refuses tampered data (SIG_INVALID)', () => {
    const tampered = Buffer.from(SUMS);
    tampered[0] = 0x33;
    expectCode(() => new SignatureVerifier(policy).verifyKitSums(bytes(signMessageBundle(SUMS, key)), tampered), 'SIG_INVALID');
  });

  it('refuses a damaged signature (SIG_INVALID)', () => {
    const bundle = signMessageBundle(SUMS, key) as { messageSignature: { signature: string } };
    const sig = Buffer.from(bundle.messageSignature.signature, 'base64');
    sig[sig.length - 1] = sig[sig.length - 1]! ^ 0xff;
    bundle.messageSignature.signature = sig.toString('base64');
    expectCode(() => new SignatureVerifier(policy).verifyKitSums(bytes(bundle), SUMS), 'SIG_INVALID');
  });

  it('refuses a messageDigest that is not the digest of the data, even with a valid signature', () => {
    const bundle = signMessageBundle(SUMS, key) as { messageSignature: { messageDigest: { digest: string } } };
    bundle.messageSignature.messageDigest.digest = createHash('sha256').update('other').digest('base64');
    expectCode(() => new SignatureVerifier(policy).verifyKitSums(bytes(bundle), SUMS), 'SIG_INVALID');
  });

  it.each([
    'application/vnd.dev.sigstore.bundle+json;version=0.1',
    'application/vnd.dev.sigstore.bundle+json;version=0.2',
    'application/vnd.dev.sigstore.bundle+json;version=0.3',
    'application/vnd.dev.sigstore.bundle.v0.3+json',
  ])('accepts bundle media type %s', (mediaType) => {
    const bundle = { ...signMessageBundle(SUMS, key), mediaType };
    expect(new SignatureVerifier(policy).verifyKitSums(bytes(bundle), SUMS).bundleMediaType).toBe(mediaType);
  });

  it('tries each pinned key when the hint is empty or names no pinned key', async () => {
    const both = await resolveTrustPolicy({ keyFiles: [path.join(dir, 'other.pub.pem'), path.join(dir, 'publisher.pub.pem')] });
    for (const hint of ['', 'not-a-cosign-hint']) {
      const bundle = signMessageBundle(SUMS, key) as BundleJson;
      bundle.verificationMaterial.publicKey.hint = hint;
      expect(new SignatureVerifier(both).verifyKitSums(bytes(bundle), SUMS).signer).toEqual({ kind: 'key', keyHint: key.keyHint, fingerprint: key.fingerprint });
    }
    const unnamed = signMessageBundle(SUMS, otherKey) as BundleJson;
    unnamed.verificationMaterial.publicKey.hint = '';
    expect(expectCode(() => new SignatureVerifier(policy).verifyKitSums(bytes(unnamed), SUMS), 'SIG_UNTRUSTED').message).toMatch(/does not name its key/);
  });

  it('picks the key the hint names among several', async () => {
    const both = await resolveTrustPolicy({ keyFiles: [path.join(dir, 'publisher.pub.pem'), path.join(dir, 'other.pub.pem')] });
    expect(new SignatureVerifier(both).verifyKitSums(bytes(signMessageBundle(SUMS, otherKey)), SUMS).signer).toMatchObject({ fingerprint: otherKey.fingerprint });
  });

  it('refuses a key bundle when the policy trusts only keyless identities', async () => {
    const rootFile = path.resolve(import.meta.dirname, '../../../resources/sigstore/public-good-trusted-root.json');
    const keyless = await resolveTrustPolicy({ trustedRootFile: rootFile, identity: 'a@b.example', issuer: 'https://issuer.example' });
    expect(expectCode(() => new SignatureVerifier(keyless).verifyKitSums(bytes(signMessageBundle(SUMS, key)), SUMS), 'SIG_UNTRUSTED').message).toMatch(/trusts only keyless/);
  });
});

describe('bundle parsing', () => {
  it.each([
    ['not JSON', Buffer.from('{nope')],
    ['not an object', Buffer.from('[1,2]')],
    ['no media type', bytes({ foo: 1 })],
    ['unknown media type', bytes({ mediaType: 'application/vnd.dev.sigstore.bundle.v0.9+json' })],
    ['another document type', bytes({ mediaType: 'application/vnd.in-toto+json' })],
  ])('refuses %s with BUNDLE_INVALID', (_label, data) => {
    expectCode(() => new SignatureVerifier(policy).verifyKitSums(data, SUMS), 'BUNDLE_INVALID');
  });

  it('refuses a bundle without its signature, and one with bad base64', () => {
    const bundle = signMessageBundle(SUMS, key) as { messageSignature: { signature: string } };
    expectCode(() => new SignatureVerifier(policy).verifyKitSums(bytes({ ...bundle, messageSignature: { ...bundle.messageSignature, signature: '' } }), SUMS), 'BUNDLE_INVALID');
    const error = expectCode(() => new SignatureVerifier(policy).verifyKitSums(bytes({ ...bundle, messageSignature: { ...bundle.messageSignature, signature: '!!not base64!!' } }), SUMS), 'BUNDLE_INVALID');
    expect(error.message).toContain('messageSignature.signature');
    const noMaterial: Record<string, unknown> = { ...bundle };
    delete noMaterial.verificationMaterial;
    expectCode(() => new SignatureVerifier(policy).verifyKitSums(bytes(noMaterial), SUMS), 'BUNDLE_INVALID');
  });
});

describe('key-based DSSE (in-toto Statement v1)', () => {
  const sha = createHash('sha256').update(SUMS).digest('hex');

  it('verifies a statement whose subject SHA256SUMS has the digest of SHA256SUMS', () => {
    const statement = inTotoStatement([{ name: 'SHA256SUMS', sha256: sha }], 'https://airlock.dev/kit/v1', { name: 'demo' });
    const verdict = new SignatureVerifier(policy).verifyKitSums(bytes(signDsseBundle(statement, 'application/vnd.in-toto+json', key)), SUMS);
    expect(verdict.content).toBe('dsse');
    expect(verdict.signer).toMatchObject({ kind: 'key', fingerprint: key.fingerprint });
  });

  it('refuses a subject digest mismatch with SIG_INVALID', () => {
    const statement = inTotoStatement([{ name: 'SHA256SUMS', sha256: createHash('sha256').update('other').digest('hex') }], 'https://airlock.dev/kit/v1', {});
    const error = expectCode(() => new SignatureVerifier(policy).verifyKitSums(bytes(signDsseBundle(statement, 'application/vnd.in-toto+json', key)), SUMS), 'SIG_INVALID');
    expect(error.message).toContain(sha);
  });

  it('refuses a statement without a SHA256SUMS subject, a non-in-toto payload and a bad PAE signature', () => {
    const wrongName = inTotoStatement([{ name: 'kit.json', sha256: sha }], 'x', {});
    expectCode(() => new SignatureVerifier(policy).verifyKitSums(bytes(signDsseBundle(wrongName, 'application/vnd.in-toto+json', key)), SUMS), 'SIG_INVALID');
    expectCode(() => new SignatureVerifier(policy).verifyKitSums(bytes(signDsseBundle(Buffer.from('hello'), 'text/plain', key)), SUMS), 'SIG_INVALID');
    const good = inTotoStatement([{ name: 'SHA256SUMS', sha256: sha }], 'x', {});
    const bundle = signDsseBundle(good, 'application/vnd.in-toto+json', key) as { dsseEnvelope: { payloadType: string } };
    bundle.dsseEnvelope.payloadType = 'application/vnd.in-toto+json; charset=x';
    expectCode(() => new SignatureVerifier(policy).verifyKitSums(bytes(bundle), SUMS), 'SIG_INVALID');
  });

  it('requires Statement v1 for kits, while verify-blob also reads v0.1', async () => {
    const v01 = Buffer.from(JSON.stringify({ _type: 'https://in-toto.io/Statement/v0.1', subject: [{ name: 'SHA256SUMS', digest: { sha256: sha } }], predicateType: 'x', predicate: {} }));
    const bundle = bytes(signDsseBundle(v01, 'application/vnd.in-toto+json', key));
    expect(expectCode(() => new SignatureVerifier(policy).verifyKitSums(bundle, SUMS), 'SIG_INVALID').message).toMatch(/Statement v1/);
    const file = path.join(dir, 'SHA256SUMS');
    await fs.writeFile(file, SUMS);
    expect((await new SignatureVerifier(policy).verifyArtifactFile(bundle, file)).content).toBe('dsse');
  });

  it('checks trust before the subject: an untrusted signer is SIG_UNTRUSTED', () => {
    const statement = inTotoStatement([{ name: 'SHA256SUMS', sha256: sha }], 'x', {});
    expectCode(() => new SignatureVerifier(policy).verifyKitSums(bytes(signDsseBundle(statement, 'application/vnd.in-toto+json', otherKey)), SUMS), 'SIG_UNTRUSTED');
  });
});

describe('Ed25519', () => {
  // sigstore-js verifies message signatures with crypto.verify('sha256', …),
  // which Ed25519 refuses (EdDSA hashes internally and takes no digest), so an
  // Ed25519 key could never verify a cosign blob signature: refused up front.
  it('is refused as a pinned key with KEY_INVALID', async () => {
    const file = path.join(dir, 'ed.pub.pem');
    await fs.writeFile(file, makeEd25519KeyPair().publicPem);
    const error = await expectCodeAsync(resolveTrustPolicy({ keyFiles: [file] }), 'KEY_INVALID');
    expect(error.path).toBe(file);
    expect(error.message).toMatch(/Ed25519/);
  });
});

describe('verifyArtifactFile', () => {
  it('streams a multi-chunk file for a message signature', async () => {
    const file = path.join(dir, 'big.bin');
    const data = Buffer.alloc(2_500_000 + 17);
    for (let i = 0; i < data.length; i += 1) data[i] = (i * 31 + 7) & 0xff;
    await fs.writeFile(file, data);
    const bundle = bytes(signMessageBundle(data, key));
    const verifier = new SignatureVerifier(policy);
    expect((await verifier.verifyArtifactFile(bundle, file)).signer).toMatchObject({ fingerprint: key.fingerprint });
    data[1_234_567] = data[1_234_567]! ^ 1;
    await fs.writeFile(file, data);
    await expectCodeAsync(verifier.verifyArtifactFile(bundle, file), 'SIG_INVALID');
  });

  it('matches any DSSE subject by the file sha256', async () => {
    const file = path.join(dir, 'sbom.json');
    await fs.writeFile(file, '{"spdxVersion":"SPDX-2.3"}');
    const sha = createHash('sha256').update(await fs.readFile(file)).digest('hex');
    const statement = inTotoStatement([{ name: 'other', sha256: '00'.repeat(32) }, { name: 'sbom.json', sha256: sha }], 'https://spdx.dev/Document', {});
    const verifier = new SignatureVerifier(policy);
    expect((await verifier.verifyArtifactFile(bytes(signDsseBundle(statement, 'application/vnd.in-toto+json', key)), file)).content).toBe('dsse');
    const wrong = inTotoStatement([{ name: 'sbom.json', sha256: '11'.repeat(32) }], 'x', {});
    await expectCodeAsync(verifier.verifyArtifactFile(bytes(signDsseBundle(wrong, 'application/vnd.in-toto+json', key)), file), 'SIG_INVALID');
  });

  it('reports a missing artifact as IO_ERROR with its path', async () => {
    const missing = path.join(dir, 'missing.bin');
    const error = await expectCodeAsync(new SignatureVerifier(policy).verifyArtifactFile(bytes(signMessageBundle(SUMS, key)), missing), 'IO_ERROR');
    expect(error.path).toBe(missing);
  });
});
