// `evidence verify`: re-checks an evidence bundle offline, trusting nothing in
// it but what the checks establish. Order: the workstation signature over
// EVIDENCE.SHA256SUMS, then every file against that list (no file missing,
// none added), then the documents against each other — kit files against
// verification.json and manifest.json, the kit's signature bundle against
// SHA256SUMS and the recorded signer, the audit records' hashes and links, the
// report's identity. Any failure is EVIDENCE_INVALID naming the file.
import { createHash, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { AirlockError, isAirlockError } from '../../../shared/airlock-error.ts';
import type { SignatureVerdict, SignerIdentity } from '../../../shared/kit-verification.ts';
import { compareUtf8, parseSha256Sums } from '../kit/sha256sums.ts';
import { identityOfPublicKey, loadPublicKey, type PublicKeyIdentity } from '../trust/key-identity.ts';
import { SignatureVerifier } from '../trust/signature-verifier.ts';
import type { ResolvedTrustPolicy } from '../trust/trust-policy.ts';
import { auditRecordHash, type AuditRecord } from './audit-log.ts';
import { canonicalJson } from './canonical-json.ts';
import { AUDIT_SLICE_SCHEMA, EVIDENCE_FILES } from './evidence-files.ts';
import { EVIDENCE_SCHEMA } from './evidence-model.ts';
import { reportKeywords } from './evidence-report.ts';

export interface EvidenceVerifyOptions {
  /** A workstation public key obtained out of band; the bundle must be signed by it. */
  pinnedKeyPath?: string;
  /** Publisher trust (--kit-key or a policy): re-verifies the kit's signature cryptographically. */
  kitTrust?: ResolvedTrustPolicy;
}

export interface EvidenceVerifyReport {
  dir: string;
  operation: { id: number; type: string; status: string };
  verdict: { status: string; headline: string };
  filesChecked: number;
  workstationFingerprint: string;
  /** True when the signing key matched --key; false means the fingerprint still needs an out-of-band check. */
  workstationKeyPinned: boolean;
  kit: null | {
    name: string;
    version: string;
    sumsSha256: string;
    signer: SignerIdentity;
    /** 'verified': cryptographically against the given publisher trust; 'consistent': digest and signer hint/certificate match, signature not re-checked. */
    signature: 'verified' | 'consistent';
  };
  audit: { records: number; head: { seq: number; hash: string } | null };
  notes: string[];
}

const sha256Hex = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

function invalid(file: string, message: string, cause?: unknown): AirlockError {
  return new AirlockError('EVIDENCE_INVALID', `${file}: ${message}`, { path: file, ...(cause === undefined ? {} : { cause }) });
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

function parseJson(name: string, bytes: Buffer): Json {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw invalid(name, `not valid JSON (${(error as Error).message})`, error);
  }
  if (!isObj(value)) throw invalid(name, 'expected a JSON object');
  return value;
}

/** Equal as JSON values, whatever the key order. */
function same(a: unknown, b: unknown): boolean {
  try {
    return canonicalJson(a ?? null) === canonicalJson(b ?? null);
  } catch {
    return false;
  }
}

const EVIDENCE_LINE_RE = /^([0-9a-f]{64}) {2}([^/\\\r\n]+)$/;

/**
 * EVIDENCE.SHA256SUMS: sha256sum text-mode lines over the bundle's flat file
 * names, sorted bytewise, LF-terminated. (The kit parser is not reused: it
 * refuses the name SHA256SUMS, which a bundle legitimately holds.)
 */
export function parseEvidenceSums(bytes: Buffer): Array<{ path: string; sha256: string }> {
  const name = EVIDENCE_FILES.evidenceSums;
  const text = bytes.toString('utf8');
  if (text === '' || !text.endsWith('\n')) throw invalid(name, 'empty, or the last line does not end with LF');
  const out: Array<{ path: string; sha256: string }> = [];
  text.slice(0, -1).split('\n').forEach((line, i) => {
    const m = EVIDENCE_LINE_RE.exec(line);
    if (!m) throw invalid(name, `line ${i + 1} is not "<64 hex digits>  <file name>"`);
    const prev = out.at(-1);
    if (prev && compareUtf8(prev.path, m[2]!) >= 0) throw invalid(name, `line ${i + 1}: "${m[2]!}" is duplicated or out of order`);
    out.push({ sha256: m[1]!, path: m[2]! });
  });
  return out;
}

export async function verifyEvidence(dirInput: string, options: EvidenceVerifyOptions = {}): Promise<EvidenceVerifyReport> {
  const dir = path.resolve(dirInput);
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new AirlockError(code === 'ENOENT' || code === 'ENOTDIR' ? 'EVIDENCE_INVALID' : 'IO_ERROR', `${dir} is not a readable evidence folder: ${(error as Error).message}`, { path: dir, cause: error });
  }
  for (const e of entries) {
    if (!e.isFile()) throw invalid(e.name, 'the bundle may hold only regular files; this is a folder, link or special file');
  }
  const present = new Set(entries.map((e) => e.name));
  const files = new Map<string, Buffer>();
  const read = (name: string): Buffer => {
    const cached = files.get(name);
    if (cached) return cached;
    if (!present.has(name)) throw invalid(name, 'missing from the bundle');
    const bytes = fs.readFileSync(path.join(dir, name));
    files.set(name, bytes);
    return bytes;
  };
  const notes: string[] = [];

  // 1. The workstation signature over the file list.
  const sums = read(EVIDENCE_FILES.evidenceSums);
  const sigBytes = read(EVIDENCE_FILES.evidenceBundle);
  let bundled: PublicKeyIdentity;
  try {
    bundled = loadPublicKey(read(EVIDENCE_FILES.workstationKey).toString('utf8'), EVIDENCE_FILES.workstationKey);
  } catch (error) {
    if (error instanceof AirlockError && error.code === 'EVIDENCE_INVALID') throw error;
    throw invalid(EVIDENCE_FILES.workstationKey, `not a usable public key: ${(error as Error).message}`, error);
  }
  let signingKey = bundled;
  let pinned = false;
  if (options.pinnedKeyPath !== undefined) {
    const pin = loadPublicKey(fs.readFileSync(options.pinnedKeyPath, 'utf8'), options.pinnedKeyPath);
    if (pin.fingerprint !== bundled.fingerprint) {
      throw invalid(EVIDENCE_FILES.workstationKey, `the bundle carries workstation key ${bundled.fingerprint}, but --key ${options.pinnedKeyPath} is ${pin.fingerprint}: this bundle was not signed by the pinned workstation`);
    }
    signingKey = pin;
    pinned = true;
  }
  checkWorkstationSignature(sigBytes, sums, signingKey);

  // 2. Every file against the signed list; nothing missing, nothing added.
  const listed = parseEvidenceSums(sums);
  const listedNames = new Set(listed.map((e) => e.path));
  for (const own of [EVIDENCE_FILES.evidenceSums, EVIDENCE_FILES.evidenceBundle]) {
    if (listedNames.has(own)) throw invalid(EVIDENCE_FILES.evidenceSums, `lists ${own}, which it cannot cover`);
  }
  for (const e of listed) {
    const bytes = read(e.path);
    if (sha256Hex(bytes) !== e.sha256) throw invalid(e.path, `changed after export: its SHA-256 is ${sha256Hex(bytes)}, EVIDENCE.SHA256SUMS says ${e.sha256}`);
  }
  for (const name of [...present].sort()) {
    if (name !== EVIDENCE_FILES.evidenceSums && name !== EVIDENCE_FILES.evidenceBundle && !listedNames.has(name)) {
      throw invalid(name, 'not listed in EVIDENCE.SHA256SUMS: it was added after export');
    }
  }

  // 3. The documents against each other.
  const manifest = parseJson(EVIDENCE_FILES.manifest, read(EVIDENCE_FILES.manifest));
  if (manifest.schema !== EVIDENCE_SCHEMA) throw invalid(EVIDENCE_FILES.manifest, `schema is ${JSON.stringify(manifest.schema)}, expected "${EVIDENCE_SCHEMA}"`);
  const op = manifest.operation;
  if (!isObj(op) || typeof op.id !== 'number' || typeof op.type !== 'string' || typeof op.status !== 'string') throw invalid(EVIDENCE_FILES.manifest, 'operation must name id, type and status');
  const wk = manifest.workstationKey;
  if (!isObj(wk) || wk.fingerprint !== bundled.fingerprint) {
    throw invalid(EVIDENCE_FILES.manifest, `workstationKey.fingerprint does not match workstation.pub.pem (${bundled.fingerprint})`);
  }
  const sections = Array.isArray(manifest.sections) ? manifest.sections.filter(isObj) : [];
  for (const s of sections) {
    if (typeof s.file !== 'string') continue;
    if (s.included === true && !listedNames.has(s.file)) throw invalid(s.file, 'manifest.json says it is included, but the bundle does not hold it');
    if (s.included === false && listedNames.has(s.file)) throw invalid(s.file, 'manifest.json says this section does not apply, but the bundle holds the file');
  }
  for (const required of [EVIDENCE_FILES.operation, EVIDENCE_FILES.audit, EVIDENCE_FILES.report, EVIDENCE_FILES.workstationKey]) {
    if (!listedNames.has(required)) throw invalid(required, 'missing from the bundle');
  }

  const operation = parseJson(EVIDENCE_FILES.operation, read(EVIDENCE_FILES.operation));
  for (const k of ['id', 'type', 'status', 'startedAt', 'endedAt', 'errorCode'] as const) {
    if (!same(operation[k], op[k])) throw invalid(EVIDENCE_FILES.operation, `${k} is ${JSON.stringify(operation[k])}, manifest.json says ${JSON.stringify(op[k])}`);
  }

  const kit = checkKit(manifest, read, listedNames, options.kitTrust, notes);
  const audit = checkAudit(read(EVIDENCE_FILES.audit), op.id, manifest, notes);

  const pdf = read(EVIDENCE_FILES.report);
  if (pdf.subarray(0, 5).toString('latin1') !== '%PDF-' || !pdf.subarray(-1024).toString('latin1').includes('%%EOF')) {
    throw invalid(EVIDENCE_FILES.report, 'not a complete PDF file');
  }
  const keywords = reportKeywords({ operationId: op.id, sumsSha256: kit?.sumsSha256 ?? null, head: audit.head, workstationFingerprint: bundled.fingerprint });
  if (!pdf.includes(Buffer.from(`(${keywords})`, 'latin1'))) {
    throw invalid(EVIDENCE_FILES.report, 'the report does not describe the same operation, kit, audit head and workstation key as manifest.json');
  }

  if (!pinned) notes.push(`The bundle was signed by workstation key ${bundled.fingerprint}; it is only as trustworthy as that key: compare the fingerprint with the workstation's own ("airlock evidence key") out of band, or pass --key with the workstation's public key.`);
  const verdict = isObj(manifest.verdict) ? manifest.verdict : {};
  return {
    dir,
    operation: { id: op.id, type: op.type, status: op.status },
    verdict: { status: String(verdict.status ?? 'unknown'), headline: String(verdict.headline ?? '') },
    filesChecked: listed.length,
    workstationFingerprint: bundled.fingerprint,
    workstationKeyPinned: pinned,
    kit,
    audit,
    notes,
  };
}

function workstationPolicy(key: PublicKeyIdentity): ResolvedTrustPolicy {
  return {
    source: EVIDENCE_FILES.workstationKey,
    publishers: [{
      name: 'workstation',
      field: EVIDENCE_FILES.workstationKey,
      keys: [{ ...identityOfPublicKey(key.publicKey), source: EVIDENCE_FILES.workstationKey }],
      keyless: [],
      trustedRoot: undefined,
      allowDowngrade: false,
      tlogThreshold: 0,
      timestampThreshold: 0,
      ctlogThreshold: 0,
    }],
  };
}

function checkWorkstationSignature(bundle: Buffer, sums: Buffer, key: PublicKeyIdentity): void {
  // Which file to blame: the digest the bundle signed tells whether the list changed or the bundle did.
  let declared: string | undefined;
  try {
    const parsed = JSON.parse(bundle.toString('utf8')) as { messageSignature?: { messageDigest?: { digest?: string } } };
    declared = parsed.messageSignature?.messageDigest?.digest;
  } catch {
    declared = undefined;
  }
  try {
    new SignatureVerifier(workstationPolicy(key)).verifyKitSums(bundle, sums, { bundlePath: EVIDENCE_FILES.evidenceBundle });
  } catch (error) {
    if (!isAirlockError(error)) throw error;
    const listChanged = declared !== undefined && declared !== createHash('sha256').update(sums).digest('base64');
    const file = listChanged ? EVIDENCE_FILES.evidenceSums : EVIDENCE_FILES.evidenceBundle;
    const why = error.code === 'SIG_UNTRUSTED'
      ? 'the signature was not made by the workstation key in workstation.pub.pem'
      : listChanged ? 'EVIDENCE.SHA256SUMS was changed after it was signed' : `the workstation signature does not verify (${error.code}: ${error.message})`;
    throw invalid(file, why, error);
  }
}

function checkKit(
  manifest: Json,
  read: (name: string) => Buffer,
  listed: Set<string>,
  trust: ResolvedTrustPolicy | undefined,
  notes: string[],
): EvidenceVerifyReport['kit'] {
  const mk = manifest.kit;
  if (mk === null || mk === undefined) {
    for (const f of [EVIDENCE_FILES.kitManifest, EVIDENCE_FILES.sums, EVIDENCE_FILES.sumsBundle, EVIDENCE_FILES.verification]) {
      if (listed.has(f)) throw invalid(f, 'manifest.json names no kit, but the bundle holds this kit file');
    }
    return null;
  }
  if (!isObj(mk) || typeof mk.name !== 'string' || typeof mk.version !== 'string' || typeof mk.sumsSha256 !== 'string') throw invalid(EVIDENCE_FILES.manifest, 'kit must name name, version and sumsSha256');
  const sums = read(EVIDENCE_FILES.sums);
  const bundle = read(EVIDENCE_FILES.sumsBundle);
  const kitJson = read(EVIDENCE_FILES.kitManifest);
  const verification = parseJson(EVIDENCE_FILES.verification, read(EVIDENCE_FILES.verification));
  const sumsSha = sha256Hex(sums);
  if (sumsSha !== mk.sumsSha256) throw invalid(EVIDENCE_FILES.sums, `its SHA-256 is ${sumsSha}, manifest.json records ${mk.sumsSha256}`);
  const recorded = isObj(verification.sha256) ? verification.sha256 : {};
  if (recorded.SHA256SUMS !== sumsSha) throw invalid(EVIDENCE_FILES.verification, `sha256.SHA256SUMS is ${JSON.stringify(recorded.SHA256SUMS)}, the file's is ${sumsSha}`);
  if (recorded['SHA256SUMS.sigstore.json'] !== sha256Hex(bundle)) throw invalid(EVIDENCE_FILES.verification, 'sha256 of SHA256SUMS.sigstore.json does not match the bundled file');
  if (recorded['kit.json'] !== sha256Hex(kitJson)) throw invalid(EVIDENCE_FILES.verification, 'sha256 of kit.json does not match the bundled file');
  // kit.json is itself listed in the signed SHA256SUMS.
  let kitEntries;
  try {
    kitEntries = parseSha256Sums(sums);
  } catch (error) {
    throw invalid(EVIDENCE_FILES.sums, (error as Error).message, error);
  }
  const kitLine = kitEntries.find((e) => e.path === 'kit.json');
  if (!kitLine || kitLine.sha256 !== sha256Hex(kitJson)) throw invalid(EVIDENCE_FILES.kitManifest, 'does not match its line in the signed SHA256SUMS');
  const kitDoc = parseJson(EVIDENCE_FILES.kitManifest, kitJson);
  if (kitDoc.name !== mk.name || kitDoc.version !== mk.version) throw invalid(EVIDENCE_FILES.kitManifest, `names ${String(kitDoc.name)}@${String(kitDoc.version)}, manifest.json ${mk.name}@${mk.version}`);
  const files = isObj(verification.files) ? verification.files : {};
  if (files.listedInSha256Sums !== kitEntries.length) throw invalid(EVIDENCE_FILES.verification, `files.listedInSha256Sums is ${String(files.listedInSha256Sums)}, SHA256SUMS has ${kitEntries.length} lines`);

  const signature = verification.signature as SignatureVerdict | undefined;
  if (!isObj(signature) || !isObj(signature.signer)) throw invalid(EVIDENCE_FILES.verification, 'signature.signer is missing');
  if (!same(signature.signer, manifest.signer)) throw invalid(EVIDENCE_FILES.manifest, 'signer differs from verification.json');
  const signer = signature.signer;
  checkKitBundleBinding(bundle, sums, signer);
  let how: 'verified' | 'consistent' = 'consistent';
  if (trust) {
    let verdict: SignatureVerdict;
    try {
      verdict = new SignatureVerifier(trust).verifyKitSums(bundle, sums);
    } catch (error) {
      throw invalid(EVIDENCE_FILES.sumsBundle, `the kit signature does not verify with the given publisher trust: ${(error as Error).message}`, error);
    }
    const want = signer.kind === 'key' ? signer.fingerprint : `${signer.subject}|${signer.issuer}`;
    const got = verdict.signer.kind === 'key' ? verdict.signer.fingerprint : `${verdict.signer.subject}|${verdict.signer.issuer}`;
    if (want !== got) throw invalid(EVIDENCE_FILES.verification, `records signer ${want}, but the kit signature verifies as ${got}`);
    how = 'verified';
  } else {
    notes.push('The kit\'s signature bundle matches SHA256SUMS and the recorded signer, but was not re-verified cryptographically; pass --kit-key PUB.pem (or run cosign verify-blob) to do so.');
  }
  return { name: mk.name, version: mk.version, sumsSha256: sumsSha, signer, signature: how };
}

/** Without the publisher's key: the bundle must sign this SHA256SUMS and name the recorded signer. */
function checkKitBundleBinding(bundleBytes: Buffer, sums: Buffer, signer: SignerIdentity): void {
  const name = EVIDENCE_FILES.sumsBundle;
  const bundle = parseJson(name, bundleBytes);
  const vm = isObj(bundle.verificationMaterial) ? bundle.verificationMaterial : {};
  const ms = isObj(bundle.messageSignature) ? bundle.messageSignature : undefined;
  const dsse = isObj(bundle.dsseEnvelope) ? bundle.dsseEnvelope : undefined;
  const sumsSha = sha256Hex(sums);
  if (ms) {
    const md = isObj(ms.messageDigest) ? ms.messageDigest : {};
    if (md.algorithm === 'SHA2_256' && md.digest !== createHash('sha256').update(sums).digest('base64')) throw invalid(name, 'signs a different SHA256SUMS than the one in the bundle');
  } else if (dsse) {
    let statement: Json;
    try {
      statement = JSON.parse(Buffer.from(String(dsse.payload), 'base64').toString('utf8')) as Json;
    } catch (error) {
      throw invalid(name, 'its DSSE payload is not JSON', error);
    }
    const subjects = Array.isArray(statement.subject) ? statement.subject.filter(isObj) : [];
    if (!subjects.some((s) => s.name === 'SHA256SUMS' && isObj(s.digest) && s.digest.sha256 === sumsSha)) throw invalid(name, 'its in-toto statement does not name this SHA256SUMS');
  } else {
    throw invalid(name, 'holds neither a message signature nor a DSSE envelope');
  }
  if (signer.kind === 'key') {
    const hint = isObj(vm.publicKey) ? vm.publicKey.hint : undefined;
    if (hint !== undefined && hint !== signer.keyHint) throw invalid(name, `names key hint ${String(hint)}, verification.json records ${signer.keyHint}`);
  } else {
    const certs: unknown[] = isObj(vm.x509CertificateChain) && Array.isArray(vm.x509CertificateChain.certificates)
      ? vm.x509CertificateChain.certificates
      : isObj(vm.certificate) ? [vm.certificate] : [];
    const leaf = certs.find(isObj);
    const raw = leaf && typeof leaf.rawBytes === 'string' ? Buffer.from(leaf.rawBytes, 'base64') : undefined;
    if (!raw || sha256Hex(raw) !== signer.certificateSha256) throw invalid(name, 'its signing certificate is not the one verification.json records');
    try {
      new X509Certificate(raw);
    } catch (error) {
      throw invalid(name, 'its signing certificate cannot be read', error);
    }
  }
}

function checkAudit(bytes: Buffer, operationId: number, manifest: Json, notes: string[]): EvidenceVerifyReport['audit'] {
  const name = EVIDENCE_FILES.audit;
  const text = bytes.toString('utf8');
  if (!text.endsWith('\n')) throw invalid(name, 'the last line does not end with LF');
  const lines = text.slice(0, -1).split('\n').map((line, i) => {
    try {
      return JSON.parse(line) as Json;
    } catch (error) {
      throw invalid(name, `line ${i + 1} is not JSON`, error);
    }
  });
  const header = lines[0];
  if (!header || header.schema !== AUDIT_SLICE_SCHEMA) throw invalid(name, `the first line must be the ${AUDIT_SLICE_SCHEMA} header`);
  const records = lines.slice(1) as unknown as AuditRecord[];
  if (header.records !== records.length) throw invalid(name, `the header counts ${String(header.records)} records, the file holds ${records.length}`);
  // A chain already broken when the bundle was made is recorded as such
  // (header.check.ok false, verdict FAIL): the bundle is then an authentic
  // copy of damaged records, reported in the notes rather than refused.
  const check = isObj(header.check) ? header.check : {};
  const brokenAtExport = check.ok === false;
  let prev: AuditRecord | undefined;
  for (const r of records) {
    if (r.operationId !== operationId) throw invalid(name, `record ${r.seq} belongs to operation ${String(r.operationId)}, not ${operationId}`);
    if (prev && r.seq <= prev.seq) throw invalid(name, `record ${r.seq} is out of order (after ${prev.seq})`);
    const { hash, ...rest } = r;
    const problem = auditRecordHash(rest) !== hash
      ? `record ${r.seq} was changed (its content no longer matches its hash)`
      : prev && r.seq === prev.seq + 1 && r.prevHash !== prev.hash ? `record ${r.seq} does not link to record ${prev.seq}` : undefined;
    if (problem !== undefined) {
      if (!brokenAtExport) throw invalid(name, problem);
      notes.push(`The audit chain was already broken when this bundle was exported (first bad record ${String(check.firstBadSeq)}); ${problem}.`);
    }
    prev = r;
  }
  const head = prev ? { seq: prev.seq, hash: prev.hash } : null;
  if (!same(header.head, head)) throw invalid(name, 'the header\'s head is not the last record');
  const audit = isObj(manifest.audit) ? manifest.audit : {};
  if (!same(audit.head, head)) throw invalid(EVIDENCE_FILES.manifest, 'audit.head differs from audit.jsonl');
  if (!same(audit.check, header.check)) throw invalid(EVIDENCE_FILES.manifest, 'audit.check differs from audit.jsonl');
  return { records: records.length, head };
}
