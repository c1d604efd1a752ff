// How a public key is named. Admins compare the hex fingerprint out of band;
// bundles carry cosign's key hint (base64 of the same digest), so a verifier
// holding several pinned keys can pick the right one without trying them all.
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { AirlockError } from '../../../shared/airlock-error.ts';

export interface PublicKeyIdentity {
  publicKey: KeyObject;
  /** DER SubjectPublicKeyInfo. */
  spkiDer: Buffer;
  /** cosign key hint: base64 of the SHA-256 of spkiDer. */
  keyHint: string;
  /** Hex SHA-256 of spkiDer. */
  fingerprint: string;
  /** Canonical SPKI PEM (re-encoded, so whitespace in the source does not matter). */
  publicKeyPem: string;
}

export function keyHintOf(spkiDer: Uint8Array): string {
  return createHash('sha256').update(spkiDer).digest('base64');
}

export function fingerprintOf(spkiDer: Uint8Array): string {
  return createHash('sha256').update(spkiDer).digest('hex');
}

const PEM_LABEL_RE = /-----BEGIN ([A-Z0-9 ]+)-----/;

/** The PEM label of the first block, or undefined when the text holds no PEM block. */
export function pemLabel(pem: string): string | undefined {
  return PEM_LABEL_RE.exec(pem)?.[1];
}

/**
 * Key types Airlock verifies. sigstore-js verifies a message signature with
 * crypto.verify('sha256', …); Ed25519/Ed448 refuse a separate digest, so such a
 * key could never verify a cosign-style blob signature and is refused up front.
 */
export function describeUnsupportedKey(key: KeyObject): string | undefined {
  const type = key.asymmetricKeyType;
  if (type === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'prime256v1' || curve === 'secp384r1' || curve === 'secp521r1') return undefined;
    return `ECDSA curve ${curve ?? 'unknown'} is not supported (use P-256)`;
  }
  if (type === 'rsa') {
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    return bits >= 2048 ? undefined : `RSA key of ${bits} bits is too short (at least 2048)`;
  }
  if (type === 'ed25519' || type === 'ed448') {
    return `${type === 'ed25519' ? 'Ed25519' : 'Ed448'} keys are not supported: Sigstore message signatures are verified over a SHA-256 digest, which EdDSA does not take (use an ECDSA P-256 key)`;
  }
  return `key type ${type ?? 'unknown'} is not supported (use ECDSA P-256)`;
}

export function identityOfPublicKey(publicKey: KeyObject): PublicKeyIdentity {
  const spkiDer = publicKey.export({ type: 'spki', format: 'der' });
  return {
    publicKey,
    spkiDer,
    keyHint: keyHintOf(spkiDer),
    fingerprint: fingerprintOf(spkiDer),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** Loads a PEM public key (SPKI "PUBLIC KEY"). Anything else → KEY_INVALID naming sourcePath. */
export function loadPublicKey(pem: string, sourcePath: string): PublicKeyIdentity {
  const label = pemLabel(pem);
  if (label === undefined) {
    throw new AirlockError('KEY_INVALID', `${sourcePath} is not a PEM file (no "-----BEGIN PUBLIC KEY-----" block)`, { path: sourcePath });
  }
  if (label.includes('PRIVATE KEY')) {
    throw new AirlockError('KEY_INVALID', `${sourcePath} holds a private key; give the public key (openssl pkey -in KEY -pubout)`, { path: sourcePath });
  }
  if (label !== 'PUBLIC KEY') {
    throw new AirlockError('KEY_INVALID', `${sourcePath} holds a PEM "${label}" block; expected "PUBLIC KEY" (SubjectPublicKeyInfo)`, { path: sourcePath });
  }
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey({ key: pem, format: 'pem' });
  } catch (error) {
    throw new AirlockError('KEY_INVALID', `${sourcePath} is not a readable public key: ${(error as Error).message}`, { path: sourcePath, cause: error });
  }
  const unsupported = describeUnsupportedKey(publicKey);
  if (unsupported !== undefined) {
    throw new AirlockError('KEY_INVALID', `${sourcePath}: ${unsupported}`, { path: sourcePath });
  }
  return identityOfPublicKey(publicKey);
}
