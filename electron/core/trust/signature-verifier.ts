// Offline Sigstore verification against the resolved trust policy
// (KIT-FORMAT §4, §8). sigstore-js checks the cryptography (signature,
// certificate chain, SCTs, log inclusion, timestamps); Airlock decides which
// key or identity is trusted, matches identities itself (sigstore-js would
// read an exact subject as an unanchored regular expression), binds DSSE
// statements to the artifact (sigstore-js ignores the artifact for DSSE), and
// maps every failure to one of its own codes through SIGSTORE_ERROR_CODES.
import { createHash, createPublicKey, createVerify, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import {
  bundleFromJSON,
  BUNDLE_V01_MEDIA_TYPE,
  BUNDLE_V02_MEDIA_TYPE,
  BUNDLE_V03_LEGACY_MEDIA_TYPE,
  BUNDLE_V03_MEDIA_TYPE,
  type Bundle,
  type TransparencyLogEntry,
} from '@sigstore/bundle';
import { X509Certificate } from '@sigstore/core';
import { HashAlgorithm } from '@sigstore/protobuf-specs';
import { toSignedEntity, Verifier, type SignedEntity, type TrustMaterial } from '@sigstore/verify';
import { AirlockError } from '../../../shared/airlock-error.ts';
import type { ErrorCode } from '../../../shared/error-catalog.ts';
import type { SignatureVerdict, SignerIdentity, TimestampSummary, TlogEntrySummary } from '../../../shared/kit-verification.ts';
import { findBundleEncodingProblem } from './bundle-encoding.ts';
import { IN_TOTO_PAYLOAD_TYPE } from './sign-blob.ts';
import type { PinnedKey, ResolvedPublisher, ResolvedTrustPolicy } from './trust-policy.ts';

export const KNOWN_BUNDLE_MEDIA_TYPES: readonly string[] = [
  BUNDLE_V01_MEDIA_TYPE,
  BUNDLE_V02_MEDIA_TYPE,
  BUNDLE_V03_LEGACY_MEDIA_TYPE,
  BUNDLE_V03_MEDIA_TYPE,
];
export const BUNDLE_MAX_BYTES = 16 * 1024 * 1024;
export const KIT_BUNDLE_ENTRY = 'SHA256SUMS.sigstore.json';
export const KIT_SUMS_SUBJECT = 'SHA256SUMS';
const IN_TOTO_STATEMENT_V1 = 'https://in-toto.io/Statement/v1';
// verify-blob also reads v0.1 statements (same subject shape); kits require v1 (KIT-FORMAT §4).
const IN_TOTO_STATEMENT_TYPES = [IN_TOTO_STATEMENT_V1, 'https://in-toto.io/Statement/v0.1'];
/** A verified timestamp later than the local clock by more than this is refused (forged, or the clock is wrong). */
export const FUTURE_TIMESTAMP_TOLERANCE_MS = 5 * 60 * 1000;
const OID_FULCIO_ISSUER_V1 = '1.3.6.1.4.1.57264.1.1';
const OID_FULCIO_ISSUER_V2 = '1.3.6.1.4.1.57264.1.8';
const READ_CHUNK = 1024 * 1024;

/**
 * The one table from @sigstore/verify error codes to Airlock codes, with what
 * each means for the admin (docs/trust-policy.md prints it). Anything else
 * thrown while checking is SIG_INVALID: it never passes as a verdict.
 */
export const SIGSTORE_ERROR_MAP: Readonly<Record<string, { code: ErrorCode; meaning: string }>> = {
  SIGNATURE_ERROR: { code: 'SIG_INVALID', meaning: 'the signature does not verify over the signed content' },
  TLOG_BODY_ERROR: { code: 'SIG_INVALID', meaning: 'the transparency-log entry records another signature or digest than the bundle (the bundle was altered)' },
  TLOG_ERROR: { code: 'SIG_TLOG', meaning: 'too few (or duplicated) transparency-log entries' },
  TLOG_INCLUSION_PROOF_ERROR: { code: 'SIG_TLOG', meaning: 'the log inclusion proof or its checkpoint does not verify against a pinned log key' },
  TLOG_INCLUSION_PROMISE_ERROR: { code: 'SIG_TLOG', meaning: 'the signed entry timestamp (SET) does not verify against a pinned log key' },
  TLOG_MISSING_INCLUSION_ERROR: { code: 'SIG_TLOG', meaning: 'a log entry carries neither an inclusion proof nor an inclusion promise' },
  TIMESTAMP_ERROR: { code: 'SIG_TIMESTAMP', meaning: 'too few timestamps, or one that no pinned timestamp authority signed' },
  CERTIFICATE_ERROR: { code: 'SIG_UNTRUSTED', meaning: 'the signing certificate does not chain to the pinned trusted root at the signing time, or lacks valid SCTs from a pinned CT log' },
  PUBLIC_KEY_ERROR: { code: 'SIG_UNTRUSTED', meaning: 'the key is not pinned, or not valid at the signing time' },
  UNTRUSTED_SIGNER_ERROR: { code: 'SIG_UNTRUSTED', meaning: 'the certificate identity is not the one the policy lists' },
  NOT_IMPLEMENTED_ERROR: { code: 'SIG_INVALID', meaning: 'the bundle uses a feature the verifier does not implement' },
};

const UNEXPECTED_FAILURE = { code: 'SIG_INVALID' as ErrorCode, meaning: 'the bundle could not be verified' };

export function mapSigstoreError(error: unknown): { code: ErrorCode; meaning: string } {
  const code = typeof error === 'object' && error !== null && 'code' in error ? (error as { code: unknown }).code : undefined;
  return (typeof code === 'string' ? SIGSTORE_ERROR_MAP[code] : undefined) ?? UNEXPECTED_FAILURE;
}

const HASH_NAMES: Partial<Record<HashAlgorithm, string>> = {
  [HashAlgorithm.HASH_ALGORITHM_UNSPECIFIED]: 'sha256',
  [HashAlgorithm.SHA2_256]: 'sha256',
  [HashAlgorithm.SHA2_384]: 'sha384',
  [HashAlgorithm.SHA2_512]: 'sha512',
  [HashAlgorithm.SHA3_256]: 'sha3-256',
  [HashAlgorithm.SHA3_384]: 'sha3-384',
};

type SignatureContent = SignedEntity['signature'];

/** What the signature must be checked against: the bytes, already hashed, with signature checks on demand. */
interface ArtifactEvidence {
  /** Hex SHA-256 of the artifact. */
  sha256: string;
  /** Digest of the artifact with the bundle's message-digest algorithm (message signatures only). */
  messageDigest?: Buffer;
  /** ECDSA/RSA verification of the message signature over the artifact with this key. */
  verifyMessage(key: KeyObject): boolean;
  /** For messages: how the artifact is named in errors. */
  label: string;
}

interface ParsedBundle {
  bundle: Bundle;
  mediaType: string;
  content: 'message-signature' | 'dsse';
  hashName: string;
}

/** A publisher's refusal; the highest rank is the most specific reason. */
interface Refusal {
  rank: number;
  code: ErrorCode;
  message: string;
}

// Ranks: 0 the bundle's kind of signer does not fit this publisher at all;
// 1 the key or certificate authority is not pinned; 2 a pinned authority, but
// the identity is not listed; 3 the signer is trusted but the evidence fails.
const RANK_KIND = 0;
const RANK_UNPINNED = 1;
const RANK_IDENTITY = 2;
const RANK_EVIDENCE = 3;

class MessageContent implements SignatureContent {
  readonly signature: Buffer;
  readonly #declaredDigest: Buffer;
  readonly #verify: (key: KeyObject) => boolean;

  constructor(signature: Buffer, declaredDigest: Buffer, verify: (key: KeyObject) => boolean) {
    this.signature = signature;
    this.#declaredDigest = declaredDigest;
    this.#verify = verify;
  }

  compareSignature(signature: Buffer): boolean {
    return signature.length === this.signature.length && signature.equals(this.signature);
  }

  compareDigest(digest: Buffer): boolean {
    return digest.length === this.#declaredDigest.length && digest.equals(this.#declaredDigest);
  }

  compareSignedDigest(digest: Buffer): boolean {
    return this.compareDigest(digest);
  }

  verifySignature(key: KeyObject): boolean {
    return this.#verify(key);
  }
}

function spkiHex(key: KeyObject): string {
  return key.export({ type: 'spki', format: 'der' }).toString('hex');
}

function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.000Z$/, 'Z');
}

function issuerOf(cert: X509Certificate): string | undefined {
  const v2 = cert.extension(OID_FULCIO_ISSUER_V2);
  if (v2) return v2.valueObj.subs[0]?.value.toString('utf8');
  return cert.extension(OID_FULCIO_ISSUER_V1)?.value.toString('utf8');
}

function leafCertificateBytes(bundle: Bundle): Buffer<ArrayBuffer> | undefined {
  const vm = bundle.verificationMaterial.content;
  const raw = vm.$case === 'certificate' ? vm.certificate.rawBytes
    : vm.$case === 'x509CertificateChain' ? vm.x509CertificateChain.certificates[0]?.rawBytes
      : undefined;
  // A copy with its own ArrayBuffer, as X509Certificate.parse wants.
  return raw === undefined ? undefined : Buffer.from(new Uint8Array(raw));
}

function parseBundle(bytes: Uint8Array, bundlePath: string): ParsedBundle {
  const invalid = (why: string, cause?: unknown): AirlockError =>
    new AirlockError('BUNDLE_INVALID', `${bundlePath}: ${why}`, { path: bundlePath, ...(cause === undefined ? {} : { cause }) });
  if (bytes.byteLength > BUNDLE_MAX_BYTES) throw invalid(`larger than ${BUNDLE_MAX_BYTES} bytes`);
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (error) {
    throw invalid(`not JSON (${(error as Error).message})`, error);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw invalid('not a JSON object');
  const mediaType = (json as { mediaType?: unknown }).mediaType;
  if (typeof mediaType !== 'string') throw invalid('no mediaType: not a Sigstore bundle');
  if (!KNOWN_BUNDLE_MEDIA_TYPES.includes(mediaType)) {
    throw invalid(`unknown bundle media type "${mediaType}" (Airlock reads Sigstore bundles v0.1, v0.2 and v0.3)`);
  }
  const encoding = findBundleEncodingProblem(json);
  if (encoding !== undefined) throw invalid(`not a valid Sigstore bundle (${encoding})`);
  let bundle: Bundle;
  try {
    bundle = bundleFromJSON(json);
  } catch (error) {
    const fields = (error as { fields?: unknown }).fields;
    const detail = Array.isArray(fields) && fields.length > 0 ? `missing or empty: ${fields.join(', ')}` : (error as Error).message;
    throw invalid(`not a valid Sigstore bundle (${detail})`, error);
  }
  if (mediaType === BUNDLE_V01_MEDIA_TYPE) {
    // v0.1 proves inclusion with the signed promise (SET), which it requires;
    // early v0.1 bundles also carry an inclusion proof without a checkpoint,
    // which cannot be checked offline (and trips sigstore-js), so it is set aside.
    for (const entry of bundle.verificationMaterial.tlogEntries) {
      if (entry.inclusionProof && !entry.inclusionProof.checkpoint) entry.inclusionProof = undefined;
    }
  }
  const chain = bundle.verificationMaterial.content.$case === 'x509CertificateChain' ? bundle.verificationMaterial.content.x509CertificateChain.certificates : [];
  for (const [i, raw] of chain.entries()) {
    let cert: X509Certificate;
    try {
      cert = X509Certificate.parse(Buffer.from(new Uint8Array(raw.rawBytes)));
    } catch (error) {
      throw invalid(`verificationMaterial.x509CertificateChain.certificates[${i}] is not a certificate (${(error as Error).message})`, error);
    }
    // Trust anchors come only from the pinned trusted root, never from the bundle.
    if (cert.subject.equals(cert.issuer)) {
      throw invalid(`verificationMaterial.x509CertificateChain.certificates[${i}] is a self-signed root certificate; a bundle must not carry its own trust anchor`);
    }
  }
  if (bundle.content.$case === 'messageSignature') {
    const algorithm = bundle.content.messageSignature.messageDigest?.algorithm ?? HashAlgorithm.SHA2_256;
    const hashName = HASH_NAMES[algorithm];
    if (hashName === undefined) throw invalid(`message digest algorithm ${String(algorithm)} is not supported`);
    return { bundle, mediaType, content: 'message-signature', hashName };
  }
  return { bundle, mediaType, content: 'dsse', hashName: 'sha256' };
}

function safeVerify(hashName: string, data: Uint8Array, key: KeyObject, signature: Buffer): boolean {
  try {
    return cryptoVerify(hashName, data, key, signature);
  } catch {
    return false;
  }
}

interface InTotoSubject {
  name?: unknown;
  digest?: Record<string, unknown>;
}

/** The in-toto subjects of a DSSE payload, or a SIG_INVALID naming why there are none. */
function inTotoSubjects(bundle: Bundle, where: string, statementTypes: readonly string[]): InTotoSubject[] {
  if (bundle.content.$case !== 'dsseEnvelope') return [];
  const envelope = bundle.content.dsseEnvelope;
  if (envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    throw new AirlockError('SIG_INVALID', `the DSSE payload type is "${envelope.payloadType}", not an in-toto statement, so it does not name ${where}`);
  }
  let statement: { _type?: unknown; subject?: unknown };
  try {
    statement = JSON.parse(Buffer.from(envelope.payload).toString('utf8')) as typeof statement;
  } catch {
    throw new AirlockError('SIG_INVALID', 'the DSSE payload is not JSON, so it is not an in-toto statement');
  }
  if (typeof statement !== 'object' || statement === null || !statementTypes.includes(statement._type as string)) {
    throw new AirlockError('SIG_INVALID', `the DSSE payload is not an in-toto Statement ${statementTypes.length === 1 ? 'v1 ' : ''}(_type ${JSON.stringify(statement?._type ?? null)})`);
  }
  if (!Array.isArray(statement.subject)) throw new AirlockError('SIG_INVALID', 'the in-toto statement has no subject list');
  return statement.subject as InTotoSubject[];
}

function subjectSha256(subject: InTotoSubject): string | undefined {
  const value = subject.digest?.sha256;
  return typeof value === 'string' ? value.toLowerCase() : undefined;
}

export interface VerifyOptions {
  /** How the bundle is named in errors (default: the kit entry name, or "bundle"). */
  bundlePath?: string;
}

export class SignatureVerifier {
  readonly #policy: ResolvedTrustPolicy;
  readonly #clock: () => Date;

  constructor(policy: ResolvedTrustPolicy, clock: () => Date = () => new Date()) {
    this.#policy = policy;
    this.#clock = clock;
  }

  /**
   * For kits: bundle = SHA256SUMS.sigstore.json bytes, sums = SHA256SUMS bytes.
   * A message signature over the exact bytes, or a DSSE in-toto Statement v1
   * with a subject "SHA256SUMS" whose sha256 is the digest of sums.
   */
  verifyKitSums(bundle: Uint8Array, sums: Uint8Array, options: VerifyOptions = {}): SignatureVerdict {
    const parsed = parseBundle(bundle, options.bundlePath ?? KIT_BUNDLE_ENTRY);
    const evidence: ArtifactEvidence = {
      sha256: createHash('sha256').update(sums).digest('hex'),
      messageDigest: createHash(parsed.hashName).update(sums).digest(),
      verifyMessage: (key) => safeVerify(parsed.hashName, sums, key, this.#messageSignature(parsed)),
      label: KIT_SUMS_SUBJECT,
    };
    return this.#verify(parsed, evidence, options.bundlePath ?? KIT_BUNDLE_ENTRY, [IN_TOTO_STATEMENT_V1], (subjects) => {
      const named = subjects.filter((s) => s.name === KIT_SUMS_SUBJECT);
      if (named.length === 0) {
        throw new AirlockError('SIG_INVALID', `the signed in-toto statement has no subject named "${KIT_SUMS_SUBJECT}"`, { path: KIT_SUMS_SUBJECT });
      }
      if (!named.some((s) => subjectSha256(s) === evidence.sha256)) {
        throw new AirlockError('SIG_INVALID', `the signed in-toto subject "${KIT_SUMS_SUBJECT}" has sha256 ${subjectSha256(named[0]!) ?? '(none)'}, but SHA256SUMS has sha256 ${evidence.sha256}`, { path: KIT_SUMS_SUBJECT });
      }
    });
  }

  /**
   * For verify-blob: any file. The file is streamed once (SHA-256, the
   * bundle's digest algorithm and the signature check for each candidate key
   * in the same pass), so its size is not limited by memory.
   */
  async verifyArtifactFile(bundle: Uint8Array, artifactPath: string, options: VerifyOptions = {}): Promise<SignatureVerdict> {
    const parsed = parseBundle(bundle, options.bundlePath ?? 'bundle');
    const candidates = parsed.content === 'message-signature' ? this.#candidateKeys(parsed) : [];
    const signature = parsed.content === 'message-signature' ? this.#messageSignature(parsed) : Buffer.alloc(0);
    const sha256 = createHash('sha256');
    const message = createHash(parsed.hashName);
    const verifiers = candidates.map((key) => ({ key, hex: spkiHex(key), verify: createVerify(parsed.hashName) }));
    await new Promise<void>((resolve, reject) => {
      const stream = fs.createReadStream(artifactPath, { highWaterMark: READ_CHUNK });
      stream.on('data', (chunk) => {
        const buf = chunk as Buffer;
        sha256.update(buf);
        if (parsed.content === 'message-signature') {
          message.update(buf);
          for (const v of verifiers) v.verify.update(buf);
        }
      });
      stream.on('error', (error: NodeJS.ErrnoException) => {
        const why = error.code === 'ENOENT' ? 'does not exist' : error.code === 'EISDIR' ? 'is a directory, not a file' : `cannot be read (${error.message})`;
        reject(new AirlockError('IO_ERROR', `${artifactPath} ${why}`, { path: artifactPath, cause: error }));
      });
      stream.on('end', () => resolve());
    });
    const results = new Map<string, boolean>();
    for (const v of verifiers) {
      let ok: boolean;
      try {
        ok = v.verify.verify(v.key, signature);
      } catch {
        ok = false;
      }
      results.set(v.hex, ok);
    }
    const evidence: ArtifactEvidence = {
      sha256: sha256.digest('hex'),
      messageDigest: message.digest(),
      verifyMessage: (key) => results.get(spkiHex(key)) ?? this.#rereadAndVerify(artifactPath, parsed.hashName, key, signature),
      label: artifactPath,
    };
    return this.#verify(parsed, evidence, options.bundlePath ?? 'bundle', IN_TOTO_STATEMENT_TYPES, (subjects) => {
      if (!subjects.some((s) => subjectSha256(s) === evidence.sha256)) {
        const names = subjects.map((s) => (typeof s.name === 'string' ? s.name : '?')).join(', ');
        throw new AirlockError('SIG_INVALID', `no subject of the signed in-toto statement (${names || 'none'}) has the file's sha256 ${evidence.sha256}`, { path: artifactPath });
      }
    });
  }

  /** Keys the message signature may be checked with: the certificate's, or every pinned key. */
  #candidateKeys(parsed: ParsedBundle): KeyObject[] {
    const leaf = leafCertificateBytes(parsed.bundle);
    if (leaf) {
      try {
        return [createPublicKey({ key: X509Certificate.parse(leaf).publicKey, format: 'der', type: 'spki' })];
      } catch {
        return [];
      }
    }
    const seen = new Map<string, KeyObject>();
    for (const p of this.#policy.publishers) for (const k of p.keys) seen.set(k.fingerprint, k.publicKey);
    return [...seen.values()];
  }

  // A key not foreseen in the streaming pass (none today) is checked by reading
  // the file again in chunks; verifySignature is synchronous in sigstore-js.
  #rereadAndVerify(file: string, hashName: string, key: KeyObject, signature: Buffer): boolean {
    const verifier = createVerify(hashName);
    const fd = fs.openSync(file, 'r');
    try {
      const buf = Buffer.allocUnsafe(READ_CHUNK);
      for (;;) {
        const n = fs.readSync(fd, buf, 0, buf.length, null);
        if (n === 0) break;
        verifier.update(buf.subarray(0, n));
      }
    } finally {
      fs.closeSync(fd);
    }
    try {
      return verifier.verify(key, signature);
    } catch {
      return false;
    }
  }

  #messageSignature(parsed: ParsedBundle): Buffer {
    return parsed.bundle.content.$case === 'messageSignature' ? Buffer.from(parsed.bundle.content.messageSignature.signature) : Buffer.alloc(0);
  }

  #entity(parsed: ParsedBundle, evidence: ArtifactEvidence, bundlePath: string): SignedEntity {
    let entity: SignedEntity;
    try {
      entity = toSignedEntity(parsed.bundle, Buffer.alloc(0));
    } catch (error) {
      throw new AirlockError('BUNDLE_INVALID', `the bundle's certificate or timestamp cannot be parsed (${(error as Error).message})`, { path: bundlePath, cause: error });
    }
    const tsaTokens = entity.timestamps.flatMap((t) => (t.$case === 'timestamp-authority' ? [t.timestamp] : []));
    for (const [i, token] of tsaTokens.entries()) {
      try {
        void token.signingTime;
      } catch (error) {
        // @sigstore/core reads genTime only with zero or exactly three fraction digits.
        throw new AirlockError('BUNDLE_INVALID', `RFC 3161 timestamp ${i} (verificationMaterial.timestampVerificationData.rfc3161Timestamps[${i}]) has a time that cannot be read (${(error as Error).message})`, { path: bundlePath, cause: error });
      }
    }
    if (parsed.bundle.content.$case === 'messageSignature') {
      const ms = parsed.bundle.content.messageSignature;
      const declared = Buffer.from(ms.messageDigest?.digest ?? Buffer.alloc(0));
      return { ...entity, signature: new MessageContent(Buffer.from(ms.signature), declared, evidence.verifyMessage) };
    }
    return entity;
  }

  #verify(parsed: ParsedBundle, evidence: ArtifactEvidence, bundlePath: string, statementTypes: readonly string[], checkSubjects: (subjects: InTotoSubject[]) => void): SignatureVerdict {
    const entity = this.#entity(parsed, evidence, bundlePath);
    // SIG_UNTRUSTED promises a valid signature by someone not trusted, so a
    // certificate's signature is checked with the certificate's own key first:
    // changed data is SIG_INVALID whoever signed it.
    const leafBytes = leafCertificateBytes(parsed.bundle);
    if (leafBytes) {
      let certKey: KeyObject;
      try {
        certKey = createPublicKey({ key: X509Certificate.parse(leafBytes).publicKey, format: 'der', type: 'spki' });
      } catch (error) {
        throw new AirlockError('BUNDLE_INVALID', `the bundle's signing certificate cannot be parsed (${(error as Error).message})`, { path: bundlePath, cause: error });
      }
      if (!entity.signature.verifySignature(certKey)) {
        throw new AirlockError('SIG_INVALID', `the signature does not verify with the key of its own certificate: ${evidence.label} was changed after signing, or the signature is damaged`, { path: bundlePath });
      }
    }
    const refusals: { publisher: string; refusal: Refusal }[] = [];
    for (const publisher of this.#policy.publishers) {
      const outcome = this.#tryPublisher(publisher, parsed, entity);
      if ('refusal' in outcome) {
        refusals.push({ publisher: publisher.name, refusal: outcome.refusal });
        continue;
      }
      this.#checkBinding(parsed, evidence, statementTypes, checkSubjects);
      return outcome.verdict;
    }
    let best = refusals[0];
    for (const r of refusals) if (best === undefined || r.refusal.rank > best.refusal.rank) best = r;
    if (best === undefined) throw new AirlockError('SIG_UNTRUSTED', 'the trust policy lists no publisher', { path: bundlePath });
    throw new AirlockError(best.refusal.code, best.refusal.message, {
      path: bundlePath,
      details: { attempts: refusals.map((r) => ({ publisher: r.publisher, code: r.refusal.code, message: r.refusal.message })) },
    });
  }

  /** The signature is genuine and trusted; now make sure it is about this artifact. */
  #checkBinding(parsed: ParsedBundle, evidence: ArtifactEvidence, statementTypes: readonly string[], checkSubjects: (subjects: InTotoSubject[]) => void): void {
    if (parsed.content === 'dsse') {
      checkSubjects(inTotoSubjects(parsed.bundle, evidence.label, statementTypes));
      return;
    }
    const ms = parsed.bundle.content.$case === 'messageSignature' ? parsed.bundle.content.messageSignature : undefined;
    const declared = ms?.messageDigest?.digest;
    if (declared !== undefined && evidence.messageDigest !== undefined && !Buffer.from(declared).equals(evidence.messageDigest)) {
      throw new AirlockError('SIG_INVALID', `the bundle's messageDigest (${Buffer.from(declared).toString('hex')}) is not the digest of ${evidence.label} (${evidence.messageDigest.toString('hex')})`);
    }
  }

  #tryPublisher(publisher: ResolvedPublisher, parsed: ParsedBundle, entity: SignedEntity): { verdict: SignatureVerdict } | { refusal: Refusal } {
    const who = `publisher "${publisher.name}"`;
    const material = parsed.bundle.verificationMaterial.content;
    if (material.$case === 'publicKey') {
      const hint = material.publicKey.hint;
      const named = hint ? `key ${hint}` : 'a key the bundle does not name';
      if (publisher.keys.length === 0) {
        return { refusal: { rank: RANK_KIND, code: 'SIG_UNTRUSTED', message: `signed by ${named}, but ${who} trusts only keyless identities` } };
      }
      const hinted = publisher.keys.filter((k) => k.keyHint === hint);
      const ordered = [...hinted, ...publisher.keys.filter((k) => k.keyHint !== hint)];
      const key = ordered.find((k) => entity.signature.verifySignature(k.publicKey));
      if (key === undefined) {
        if (hinted.length > 0) {
          return { refusal: { rank: RANK_EVIDENCE, code: 'SIG_INVALID', message: `the signature does not verify with the pinned key ${hinted[0]!.fingerprint} that the bundle names: the signed data was changed or the signature damaged` } };
        }
        if (hint) {
          return { refusal: { rank: RANK_UNPINNED, code: 'SIG_UNTRUSTED', message: `signed by key ${hint}, which the policy does not list (${who} pins ${publisher.keys.map((k) => k.keyHint).join(', ')})` } };
        }
        return { refusal: { rank: RANK_UNPINNED, code: 'SIG_UNTRUSTED', message: `the bundle does not name its key, and none of the ${publisher.keys.length} key(s) pinned for ${who} verifies the signature (a key the policy does not list, or changed data)` } };
      }
      const signer: SignerIdentity = { kind: 'key', keyHint: key.keyHint, fingerprint: key.fingerprint };
      return this.#runVerifier(publisher, parsed, entity, signer, key);
    }

    const leafBytes = leafCertificateBytes(parsed.bundle);
    let leaf: X509Certificate;
    try {
      leaf = X509Certificate.parse(leafBytes ?? Buffer.alloc(0));
    } catch (error) {
      return { refusal: { rank: RANK_EVIDENCE, code: 'BUNDLE_INVALID', message: `the bundle's signing certificate cannot be parsed (${(error as Error).message})` } };
    }
    const subject = leaf.subjectAltName ?? '';
    const issuer = issuerOf(leaf) ?? '';
    const signedBy = `"${subject || '(no subject)'}" (issuer ${issuer || '(none)'})`;
    if (publisher.keyless.length === 0) {
      return { refusal: { rank: RANK_KIND, code: 'SIG_UNTRUSTED', message: `signed keylessly by ${signedBy}, but ${who} trusts only pinned keys` } };
    }
    const root = publisher.trustedRoot!;
    const chains = root.material.certificateAuthorities.some((ca) => ca.certChain.some((caCert) => {
      try {
        return leaf.verify(caCert);
      } catch {
        return false;
      }
    }));
    if (!chains) {
      return { refusal: { rank: RANK_UNPINNED, code: 'SIG_UNTRUSTED', message: `the signing certificate for ${signedBy} was not issued by a certificate authority in the trusted root pinned for ${who} (${root.source})` } };
    }
    const rule = publisher.keyless.find((r) => r.issuer === issuer && r.matchesSubject(subject));
    if (rule === undefined) {
      const expected = publisher.keyless.map((r) => `${r.describe} from issuer ${r.issuer}`).join('; ');
      return { refusal: { rank: RANK_IDENTITY, code: 'SIG_UNTRUSTED', message: `signed by ${signedBy}, which ${who} does not trust; expected ${expected}` } };
    }
    const signer: SignerIdentity = {
      kind: 'keyless',
      subject,
      issuer,
      certificateSha256: createHash('sha256').update(leafBytes!).digest('hex'),
    };
    return this.#runVerifier(publisher, parsed, entity, signer, undefined);
  }

  #runVerifier(publisher: ResolvedPublisher, parsed: ParsedBundle, entity: SignedEntity, signer: SignerIdentity, key: PinnedKey | undefined): { verdict: SignatureVerdict } | { refusal: Refusal } {
    const who = `publisher "${publisher.name}"`;
    const root = publisher.trustedRoot;
    // Without a pinned root a keys-only publisher cannot check log entries or
    // timestamps, and requires none (the policy schema makes sure): they are
    // left out instead of failing, and not reported as evidence.
    const checked: SignedEntity = root ? entity : { ...entity, tlogEntries: [], timestamps: [] };
    const material: TrustMaterial = {
      certificateAuthorities: root?.material.certificateAuthorities ?? [],
      timestampAuthorities: root?.material.timestampAuthorities ?? [],
      tlogs: root?.material.tlogs ?? [],
      ctlogs: root?.material.ctlogs ?? [],
      publicKey: () => {
        if (!key) throw Object.assign(new Error('no pinned key'), { code: 'PUBLIC_KEY_ERROR' });
        return { publicKey: key.publicKey, validFor: () => true };
      },
    };
    const verifier = new Verifier(material, {
      tlogThreshold: publisher.tlogThreshold,
      timestampThreshold: publisher.timestampThreshold,
      ctlogThreshold: publisher.ctlogThreshold,
    });
    let verifiedSubject: string | undefined;
    try {
      const result = verifier.verify(checked);
      verifiedSubject = result.identity?.subjectAlternativeName;
    } catch (error) {
      const { code, meaning } = mapSigstoreError(error);
      const rank = code === 'SIG_UNTRUSTED' ? RANK_UNPINNED : RANK_EVIDENCE;
      return { refusal: { rank, code, message: `${meaning}: ${(error as Error).message} (${who}${root ? `, trusted root ${root.source}` : ''})` } };
    }
    if (signer.kind === 'keyless' && verifiedSubject !== signer.subject) {
      return { refusal: { rank: RANK_IDENTITY, code: 'SIG_UNTRUSTED', message: `the verified certificate names "${verifiedSubject ?? ''}", not "${signer.subject}"` } };
    }
    const tlogEntries = checked.tlogEntries.map(summarizeTlogEntry);
    const timestamps = this.#timestamps(checked);
    const now = this.#clock().getTime();
    const future = timestamps.find((t) => Date.parse(t.time) > now + FUTURE_TIMESTAMP_TOLERANCE_MS);
    if (future) {
      return { refusal: { rank: RANK_EVIDENCE, code: 'SIG_TIMESTAMP', message: `the ${future.source} timestamp ${future.time} is later than this computer's clock (${rfc3339(new Date(now))}): a forged timestamp, or a wrong system clock` } };
    }
    return {
      verdict: {
        signer,
        publisher: publisher.name,
        bundleMediaType: parsed.mediaType,
        content: parsed.content,
        tlogEntries,
        timestamps,
      },
    };
  }

  #timestamps(entity: SignedEntity): TimestampSummary[] {
    const out: TimestampSummary[] = [];
    for (const t of entity.timestamps) {
      if (t.$case === 'transparency-log') {
        // sigstore-js counts a log entry as a timestamp only with a signed promise (SET).
        if (t.tlogEntry.inclusionPromise) out.push({ source: 'transparency-log', time: rfc3339(new Date(Number(t.tlogEntry.integratedTime) * 1000)) });
      } else {
        out.push({ source: 'rfc3161', time: rfc3339(t.timestamp.signingTime) });
      }
    }
    return out;
  }
}

function summarizeTlogEntry(entry: TransparencyLogEntry): TlogEntrySummary {
  const summary: TlogEntrySummary = {
    logIndex: entry.logIndex,
    logId: Buffer.from(entry.logId?.keyId ?? Buffer.alloc(0)).toString('hex'),
    kind: entry.kindVersion ? `${entry.kindVersion.kind}/${entry.kindVersion.version}` : 'unknown',
  };
  if (entry.integratedTime && entry.integratedTime !== '0') {
    summary.integratedTime = rfc3339(new Date(Number(entry.integratedTime) * 1000));
  }
  return summary;
}
