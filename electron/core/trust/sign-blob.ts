// Key-based signing, as `cosign sign-blob --key … --bundle …` does without a
// transparency log: an ECDSA P-256 signature over the exact bytes, wrapped in a
// Sigstore bundle v0.3 whose key hint is cosign's (base64 SHA-256 of the SPKI).
// Offline kits are signed in the enclave or on a build host with no Rekor, so
// the bundle carries no tlog entries or timestamps; the trust policy decides
// whether that is enough (thresholds 0 are allowed only for pinned keys).
import { createHash, createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { AirlockError } from '../../../shared/airlock-error.ts';
import { fingerprintOf, keyHintOf, pemLabel } from './key-identity.ts';

export const BUNDLE_V03_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

export interface SigningKey {
  privateKey: KeyObject;
  publicKeyPem: string;
  spkiDer: Buffer;
  keyHint: string;
  fingerprint: string;
}

/** Loads a PKCS#8 ("PRIVATE KEY") or SEC1 ("EC PRIVATE KEY") P-256 key. Anything else → KEY_INVALID. */
export function loadSigningKey(pem: string, sourcePath: string): SigningKey {
  const label = pemLabel(pem);
  const bad = (why: string, cause?: unknown): AirlockError =>
    new AirlockError('KEY_INVALID', `${sourcePath}: ${why}`, { path: sourcePath, ...(cause === undefined ? {} : { cause }) });
  if (label === undefined) throw bad('not a PEM file (expected "-----BEGIN PRIVATE KEY-----")');
  if (label === 'ENCRYPTED PRIVATE KEY' || /Proc-Type:\s*4,ENCRYPTED/.test(pem)) {
    throw bad('the private key is encrypted; decrypt it first (openssl pkey -in KEY -out PLAIN.pem) and keep the plain copy on the signing host only');
  }
  if (label !== 'PRIVATE KEY' && label !== 'EC PRIVATE KEY') {
    throw bad(`PEM "${label}" block is not a private key; expected a PKCS#8 "PRIVATE KEY" or "EC PRIVATE KEY" (P-256)`);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: pem, format: 'pem' });
  } catch (error) {
    throw bad(`not a readable private key: ${(error as Error).message}`, error);
  }
  if (privateKey.asymmetricKeyType !== 'ec' || privateKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    const what = privateKey.asymmetricKeyType === 'ec' ? `an EC key on ${privateKey.asymmetricKeyDetails?.namedCurve ?? 'an unknown curve'}` : `a ${privateKey.asymmetricKeyType ?? 'unknown'} key`;
    throw bad(`${what}; Airlock signs with ECDSA P-256 only (openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256)`);
  }
  const publicKey = createPublicKey(privateKey);
  const spkiDer = publicKey.export({ type: 'spki', format: 'der' });
  return {
    privateKey,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    spkiDer,
    keyHint: keyHintOf(spkiDer),
    fingerprint: fingerprintOf(spkiDer),
  };
}

function keyOnlyVerificationMaterial(key: SigningKey): object {
  return {
    publicKey: { hint: key.keyHint },
    tlogEntries: [],
    timestampVerificationData: { rfc3161Timestamps: [] },
  };
}

/** A bundle v0.3 with a message signature (ECDSA P-256, SHA-256, DER) over the exact bytes of data. */
export function signMessageBundle(data: Uint8Array, key: SigningKey): object {
  const digest = createHash('sha256').update(data).digest('base64');
  const signature = sign('sha256', data, key.privateKey).toString('base64');
  return {
    mediaType: BUNDLE_V03_MEDIA_TYPE,
    verificationMaterial: keyOnlyVerificationMaterial(key),
    messageSignature: {
      messageDigest: { algorithm: 'SHA2_256', digest },
      signature,
    },
  };
}

/** DSSE pre-authentication encoding (DSSE v1). */
export function preAuthEncoding(payloadType: string, payload: Uint8Array): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([
    Buffer.from(`DSSEv1 ${type.length} `, 'ascii'),
    type,
    Buffer.from(` ${payload.length} `, 'ascii'),
    payload,
  ]);
}

/** A bundle v0.3 with a DSSE envelope signed with the key (ECDSA P-256 over the PAE). */
export function signDsseBundle(payload: Uint8Array, payloadType: string, key: SigningKey): object {
  const sig = sign('sha256', preAuthEncoding(payloadType, payload), key.privateKey).toString('base64');
  return {
    mediaType: BUNDLE_V03_MEDIA_TYPE,
    verificationMaterial: keyOnlyVerificationMaterial(key),
    dsseEnvelope: {
      payload: Buffer.from(payload).toString('base64'),
      payloadType,
      signatures: [{ sig, keyid: key.keyHint }],
    },
  };
}

/** An in-toto Statement v1 naming each subject by name and SHA-256. */
export function inTotoStatement(subjects: { name: string; sha256: string }[], predicateType: string, predicate: unknown): Uint8Array {
  const statement = {
    _type: 'https://in-toto.io/Statement/v1',
    subject: subjects.map((s) => ({ name: s.name, digest: { sha256: s.sha256 } })),
    predicateType,
    predicate,
  };
  return Buffer.from(JSON.stringify(statement), 'utf8');
}
