// Key material and bundles for tests. Keys are generated per run (nothing
// secret is committed); keyless bundles come from @sigstore/mock's local
// Fulcio/Rekor/TSA, whose CA and log keys also form the matching trusted root.
import { createHash, generateKeyPairSync, sign as cryptoSign, type KeyObject } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { initializeCA, initializeCTLog, initializeTLog, initializeTSA } from '@sigstore/mock';

export interface TestKeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** PKCS#8 PEM. */
  privatePem: string;
  /** SPKI PEM. */
  publicPem: string;
}

export function makeP256KeyPair(): TestKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    privateKey,
    publicKey,
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

export function makeEd25519KeyPair(): TestKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKey,
    publicKey,
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** Writes NAME.key.pem (private) and NAME.pub.pem (public) into dir; returns their paths. */
export async function writeKeyPair(dir: string, name: string, pair: TestKeyPair = makeP256KeyPair()): Promise<{ privatePath: string; publicPath: string; pair: TestKeyPair }> {
  const privatePath = path.join(dir, `${name}.key.pem`);
  const publicPath = path.join(dir, `${name}.pub.pem`);
  await fs.writeFile(privatePath, pair.privatePem, { mode: 0o600 });
  await fs.writeFile(publicPath, pair.publicPem);
  return { privatePath, publicPath, pair };
}

// ---------------------------------------------------------------------------
// Keyless: a private Sigstore instance from @sigstore/mock's building blocks
// (CA with an embedded-SCT CT log, Rekor v1 log, RFC 3161 TSA), used in
// process without HTTP. Its trusted root pins exactly those keys.
// ---------------------------------------------------------------------------

const OID_ISSUER_V1 = '1.3.6.1.4.1.57264.1.1';
const OID_ISSUER_V2 = '1.3.6.1.4.1.57264.1.8';
const OID_SHA256 = '2.16.840.1.101.3.4.2.1';
export const MOCK_BUNDLE_V03 = 'application/vnd.dev.sigstore.bundle.v0.3+json';

export interface MockSignOptions {
  subject: string;
  issuer: string;
  /** Log the signature in the mock Rekor (default true). */
  tlog?: boolean;
  /** Keep the log's signed entry timestamp, which counts as a timestamp (default true). */
  inclusionPromise?: boolean;
  /** Add an RFC 3161 timestamp from the mock TSA (default false). */
  tsa?: boolean;
  /** Milliseconds of the TSA's genTime (default 123; one ending in 0 makes a time @sigstore/core cannot read). */
  tsaMillis?: number;
}

export interface MockSigstore {
  /** trusted_root.json content pinning this instance's CA, CT log, Rekor and TSA. */
  trustedRoot: Record<string, unknown>;
  /** A keyless message-signature bundle (v0.3) over data. */
  signMessage(data: Uint8Array, options: MockSignOptions): Promise<Record<string, unknown>>;
  /** A keyless DSSE bundle (v0.3) over payload. */
  signDsse(payload: Uint8Array, payloadType: string, options: MockSignOptions): Promise<Record<string, unknown>>;
}

function b64(bytes: Uint8Array | ArrayBufferView): string {
  return Buffer.from((bytes as Uint8Array).buffer, (bytes as Uint8Array).byteOffset, (bytes as Uint8Array).byteLength).toString('base64');
}

function p256(): { publicKey: KeyObject; privateKey: KeyObject } {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' });
}

function dssePae(payloadType: string, payload: Uint8Array): Buffer {
  const t = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([Buffer.from(`DSSEv1 ${t.length} `), t, Buffer.from(` ${payload.length} `), payload]);
}

export async function createMockSigstore(): Promise<MockSigstore> {
  const ctlog = await initializeCTLog(p256());
  const ca = await initializeCA(p256(), ctlog);
  const tlog = await initializeTLog('https://rekor.airlock.test', p256());
  // The TSA's clock is set just before each token: @sigstore/core reads genTime
  // only with exactly three fraction digits, and the mock drops trailing zeros,
  // so the milliseconds are pinned to a value without one.
  const tsaClock = new Date();
  const tsa = await initializeTSA(p256(), tsaClock);
  const start = new Date(Date.now() - 60 * 60 * 1000).toISOString();
  const trustedRoot = {
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [{
      baseUrl: 'https://rekor.airlock.test',
      hashAlgorithm: 'SHA2_256',
      publicKey: { rawBytes: b64(tlog.publicKey), keyDetails: 'PKIX_ECDSA_P256_SHA_256', validFor: { start } },
      logId: { keyId: createHash('sha256').update(tlog.publicKey).digest('base64') },
    }],
    certificateAuthorities: [{
      subject: { organization: 'sigstore.mock', commonName: 'sigstore' },
      uri: 'https://fulcio.airlock.test',
      certChain: { certificates: [{ rawBytes: b64(ca.rootCertificate) }] },
      validFor: { start },
    }],
    ctlogs: [{
      baseUrl: 'https://ctfe.airlock.test',
      hashAlgorithm: 'SHA2_256',
      publicKey: { rawBytes: b64(ctlog.publicKey), keyDetails: 'PKIX_ECDSA_P256_SHA_256', validFor: { start } },
      logId: { keyId: b64(ctlog.logID) },
    }],
    timestampAuthorities: [{
      subject: { organization: 'sigstore.mock', commonName: 'tsa' },
      uri: 'https://tsa.airlock.test',
      certChain: { certificates: [{ rawBytes: b64(tsa.intCertificate) }, { rawBytes: b64(tsa.rootCertificate) }] },
      validFor: { start },
    }],
  };

  async function sign(kind: 'message' | 'dsse', data: Uint8Array, payloadType: string, options: MockSignOptions): Promise<Record<string, unknown>> {
    const signer = p256();
    const spki = signer.publicKey.export({ type: 'spki', format: 'der' });
    const certDer = Buffer.from(b64(await ca.issueCertificate({
      publicKey: new Uint8Array(spki),
      subjectAltName: options.subject,
      extensions: [
        { oid: OID_ISSUER_V1, value: options.issuer, legacy: true },
        { oid: OID_ISSUER_V2, value: options.issuer },
      ],
    })), 'base64');
    const certPem = `-----BEGIN CERTIFICATE-----\n${certDer.toString('base64')}\n-----END CERTIFICATE-----\n`;
    const signed = kind === 'message' ? Buffer.from(data) : dssePae(payloadType, data);
    const signature = cryptoSign('sha256', signed, signer.privateKey);
    const tlogEntries: unknown[] = [];
    if (options.tlog ?? true) {
      const proposed = kind === 'message'
        ? {
            apiVersion: '0.0.1',
            kind: 'hashedrekord',
            spec: {
              data: { hash: { algorithm: 'sha256', value: createHash('sha256').update(data).digest('hex') } },
              signature: { content: signature.toString('base64'), publicKey: { content: Buffer.from(certPem).toString('base64') } },
            },
          }
        : {
            apiVersion: '0.0.1',
            kind: 'dsse',
            spec: {
              signatures: [{ signature: signature.toString('base64'), verifier: Buffer.from(certPem).toString('base64') }],
              payloadHash: { algorithm: 'sha256', value: createHash('sha256').update(data).digest('hex') },
            },
          };
      const logged = Object.values(await tlog.log(proposed))[0] as {
        body: string; integratedTime: number; logID: string; logIndex: number;
        verification: { signedEntryTimestamp: string; inclusionProof: { logIndex: number; treeSize: number; rootHash: string; hashes: string[]; checkpoint: string } };
      };
      const proof = logged.verification.inclusionProof;
      tlogEntries.push({
        logIndex: String(logged.logIndex),
        logId: { keyId: Buffer.from(logged.logID, 'hex').toString('base64') },
        kindVersion: { kind: proposed.kind, version: '0.0.1' },
        integratedTime: String(logged.integratedTime),
        ...((options.inclusionPromise ?? true) ? { inclusionPromise: { signedEntryTimestamp: logged.verification.signedEntryTimestamp } } : {}),
        inclusionProof: {
          logIndex: String(proof.logIndex),
          rootHash: Buffer.from(proof.rootHash, 'hex').toString('base64'),
          treeSize: String(proof.treeSize),
          hashes: proof.hashes,
          checkpoint: { envelope: proof.checkpoint },
        },
        canonicalizedBody: logged.body,
      });
    }
    const rfc3161Timestamps: unknown[] = [];
    if (options.tsa) {
      tsaClock.setTime(Math.floor(Date.now() / 1000) * 1000 + (options.tsaMillis ?? 123));
      const token = await tsa.timestamp({ artifactHash: createHash('sha256').update(signature).digest(), hashAlgorithmOID: OID_SHA256, nonce: 42, policyOID: '1.2.3.4', certReq: false });
      rfc3161Timestamps.push({ signedTimestamp: b64(token) });
    }
    const verificationMaterial = { certificate: { rawBytes: certDer.toString('base64') }, tlogEntries, timestampVerificationData: { rfc3161Timestamps } };
    if (kind === 'message') {
      return {
        mediaType: MOCK_BUNDLE_V03,
        verificationMaterial,
        messageSignature: { messageDigest: { algorithm: 'SHA2_256', digest: createHash('sha256').update(data).digest('base64') }, signature: signature.toString('base64') },
      };
    }
    return {
      mediaType: MOCK_BUNDLE_V03,
      verificationMaterial,
      dsseEnvelope: { payload: Buffer.from(data).toString('base64'), payloadType, signatures: [{ sig: signature.toString('base64'), keyid: '' }] },
    };
  }

  return {
    trustedRoot,
    signMessage: (data, options) => sign('message', data, '', options),
    signDsse: (payload, payloadType, options) => sign('dsse', payload, payloadType, options),
  };
}
