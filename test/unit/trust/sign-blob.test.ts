import { createHash, createPrivateKey, generateKeyPairSync, verify } from 'node:crypto';
import { bundleFromJSON } from '@sigstore/bundle';
import { toSignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify';
import { describe, expect, it } from 'vitest';
import { AirlockError } from '../../../shared/airlock-error.ts';
import { fingerprintOf, keyHintOf, loadPublicKey } from '../../../electron/core/trust/key-identity.ts';
import { loadSigningKey, preAuthEncoding, signDsseBundle, signMessageBundle, BUNDLE_V03_MEDIA_TYPE } from '../../../electron/core/trust/sign-blob.ts';
import { makeEd25519KeyPair, makeP256KeyPair } from '../../helpers/sigstore-keys.ts';

interface MessageBundleJson {
  mediaType: string;
  verificationMaterial: unknown;
  messageSignature: { messageDigest: { algorithm: string; digest: string }; signature: string };
}
interface DsseBundleJson {
  dsseEnvelope: { signatures: { sig: string }[] };
}

const EMPTY_ROOT = { mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1', tlogs: [], certificateAuthorities: [], ctlogs: [], timestampAuthorities: [] };

function expectKeyInvalid(fn: () => unknown, path: string): AirlockError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AirlockError);
    const e = error as AirlockError;
    expect(e.code).toBe('KEY_INVALID');
    expect(e.path).toBe(path);
    return e;
  }
  throw new Error('expected KEY_INVALID');
}

describe('key identity', () => {
  it('hint is base64 and fingerprint hex of the SHA-256 of the DER SPKI', () => {
    const pair = makeP256KeyPair();
    const der = pair.publicKey.export({ type: 'spki', format: 'der' });
    const digest = createHash('sha256').update(der).digest();
    expect(keyHintOf(der)).toBe(digest.toString('base64'));
    expect(fingerprintOf(der)).toBe(digest.toString('hex'));
    const loaded = loadPublicKey(pair.publicPem, 'k.pub');
    expect(loaded.keyHint).toBe(digest.toString('base64'));
    expect(loaded.fingerprint).toBe(digest.toString('hex'));
    expect(loaded.spkiDer.equals(der)).toBe(true);
  });

  it('refuses a private key, garbage, a certificate label and Ed25519 as a public key', () => {
    const pair = makeP256KeyPair();
    expect(expectKeyInvalid(() => loadPublicKey(pair.privatePem, 'priv.pem'), 'priv.pem').message).toMatch(/private key/);
    expectKeyInvalid(() => loadPublicKey('hello', 'g.pem'), 'g.pem');
    expectKeyInvalid(() => loadPublicKey('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n', 'trunc.pem'), 'trunc.pem');
    expectKeyInvalid(() => loadPublicKey('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n', 'c.pem'), 'c.pem');
    expect(expectKeyInvalid(() => loadPublicKey(makeEd25519KeyPair().publicPem, 'ed.pem'), 'ed.pem').message).toMatch(/Ed25519/);
  });
});

describe('loadSigningKey', () => {
  it('loads PKCS#8 and SEC1 P-256 keys with the same identity', () => {
    const pair = makeP256KeyPair();
    const sec1 = pair.privateKey.export({ type: 'sec1', format: 'pem' }).toString();
    expect(sec1).toContain('BEGIN EC PRIVATE KEY');
    const a = loadSigningKey(pair.privatePem, 'a.pem');
    const b = loadSigningKey(sec1, 'b.pem');
    expect(a.keyHint).toBe(b.keyHint);
    expect(a.fingerprint).toBe(loadPublicKey(pair.publicPem, 'p').fingerprint);
    expect(a.publicKeyPem).toBe(pair.publicPem);
  });

  it('refuses RSA, Ed25519, P-384, encrypted, public and garbage keys', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const encrypted = makeP256KeyPair().privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' }).toString();
    expect(expectKeyInvalid(() => loadSigningKey(rsa, 'rsa.pem'), 'rsa.pem').message).toMatch(/rsa key/);
    expectKeyInvalid(() => loadSigningKey(makeEd25519KeyPair().privatePem, 'ed.pem'), 'ed.pem');
    expect(expectKeyInvalid(() => loadSigningKey(p384, 'p384.pem'), 'p384.pem').message).toMatch(/secp384r1/);
    expect(expectKeyInvalid(() => loadSigningKey(encrypted, 'enc.pem'), 'enc.pem').message).toMatch(/encrypted/);
    expectKeyInvalid(() => loadSigningKey(makeP256KeyPair().publicPem, 'pub.pem'), 'pub.pem');
    expectKeyInvalid(() => loadSigningKey('not a key', 'x.pem'), 'x.pem');
    expectKeyInvalid(() => loadSigningKey('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n', 'bad.pem'), 'bad.pem');
  });
});

describe('signMessageBundle', () => {
  it('writes a v0.3 bundle that sigstore-js verifies against the pinned key', () => {
    const pair = makeP256KeyPair();
    const key = loadSigningKey(pair.privatePem, 'k.pem');
    const data = Buffer.from('abc  SHA256SUMS line\n');
    const json = signMessageBundle(data, key) as MessageBundleJson;
    expect(json.mediaType).toBe(BUNDLE_V03_MEDIA_TYPE);
    expect(json.messageSignature.messageDigest).toEqual({ algorithm: 'SHA2_256', digest: createHash('sha256').update(data).digest('base64') });
    expect(json.verificationMaterial).toEqual({ publicKey: { hint: key.keyHint }, tlogEntries: [], timestampVerificationData: { rfc3161Timestamps: [] } });
    // The signature is DER ECDSA over SHA-256 of the data, as openssl dgst -sha256 -sign writes.
    expect(verify('sha256', data, pair.publicKey, Buffer.from(json.messageSignature.signature, 'base64'))).toBe(true);

    const bundle = bundleFromJSON(json);
    const trust = toTrustMaterial(EMPTY_ROOT as never, { [key.keyHint]: { rawBytes: key.spkiDer, keyDetails: 5 } as never });
    const verifier = new Verifier(trust, { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 });
    expect(() => verifier.verify(toSignedEntity(bundle, data))).not.toThrow();
    expect(() => verifier.verify(toSignedEntity(bundle, Buffer.from('other')))).toThrow(/signature/);
  });

  it('signs DSSE over the pre-authentication encoding', () => {
    const pair = makeP256KeyPair();
    const key = loadSigningKey(pair.privatePem, 'k.pem');
    const payload = Buffer.from('{"x":1}');
    const json = signDsseBundle(payload, 'application/vnd.in-toto+json', key) as DsseBundleJson;
    const sig = Buffer.from(json.dsseEnvelope.signatures[0]!.sig, 'base64');
    expect(verify('sha256', preAuthEncoding('application/vnd.in-toto+json', payload), pair.publicKey, sig)).toBe(true);
    expect(preAuthEncoding('t', Buffer.from('ab')).toString()).toBe('DSSEv1 1 t 2 ab');
    expect(createPrivateKey(pair.privatePem).asymmetricKeyType).toBe('ec');
  });
});
