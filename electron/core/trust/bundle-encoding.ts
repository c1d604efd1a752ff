// Strict checks on a bundle's JSON before the protobuf decoder sees it. The
// decoder is lenient (it skips characters that are not base64 and reads "-1"
// as a log index), so a damaged bundle would otherwise surface later as a
// confusing log or signature failure instead of "this bundle is malformed".

const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2,3})?$/;
const BASE64URL_RE = /^[A-Za-z0-9_-]*={0,2}$/;
const UINT_RE = /^(0|[1-9][0-9]{0,19})$/;

type Json = unknown;

function isBase64(value: unknown): boolean {
  return typeof value === 'string' && (BASE64_RE.test(value) || (BASE64URL_RE.test(value) && value.length % 4 !== 1));
}

function isUint(value: unknown): boolean {
  return (typeof value === 'string' && UINT_RE.test(value)) || (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0);
}

function get(obj: Json, key: string): Json {
  return typeof obj === 'object' && obj !== null && !Array.isArray(obj) ? (obj as Record<string, Json>)[key] : undefined;
}

function list(value: Json): Json[] {
  return Array.isArray(value) ? value : [];
}

/**
 * The first field of a bundle JSON document that is present but not encoded as
 * the Sigstore bundle schema says (base64 bytes, unsigned integers), or undefined.
 */
export function findBundleEncodingProblem(bundle: Json): string | undefined {
  const problems: string[] = [];
  const bytes = (value: Json, field: string): void => {
    if (value !== undefined && !isBase64(value)) problems.push(`${field} is not valid base64`);
  };
  const uint = (value: Json, field: string): void => {
    if (value !== undefined && !isUint(value)) problems.push(`${field} is not a non-negative integer`);
  };

  const ms = get(bundle, 'messageSignature');
  bytes(get(ms, 'signature'), 'messageSignature.signature');
  bytes(get(get(ms, 'messageDigest'), 'digest'), 'messageSignature.messageDigest.digest');
  const env = get(bundle, 'dsseEnvelope');
  bytes(get(env, 'payload'), 'dsseEnvelope.payload');
  list(get(env, 'signatures')).forEach((sig, i) => bytes(get(sig, 'sig'), `dsseEnvelope.signatures[${i}].sig`));

  const vm = get(bundle, 'verificationMaterial');
  bytes(get(get(vm, 'certificate'), 'rawBytes'), 'verificationMaterial.certificate.rawBytes');
  list(get(get(vm, 'x509CertificateChain'), 'certificates')).forEach((c, i) =>
    bytes(get(c, 'rawBytes'), `verificationMaterial.x509CertificateChain.certificates[${i}].rawBytes`));
  list(get(vm, 'tlogEntries')).forEach((entry, i) => {
    const at = `verificationMaterial.tlogEntries[${i}]`;
    uint(get(entry, 'logIndex'), `${at}.logIndex`);
    uint(get(entry, 'integratedTime'), `${at}.integratedTime`);
    bytes(get(get(entry, 'logId'), 'keyId'), `${at}.logId.keyId`);
    bytes(get(entry, 'canonicalizedBody'), `${at}.canonicalizedBody`);
    bytes(get(get(entry, 'inclusionPromise'), 'signedEntryTimestamp'), `${at}.inclusionPromise.signedEntryTimestamp`);
    const proof = get(entry, 'inclusionProof');
    uint(get(proof, 'logIndex'), `${at}.inclusionProof.logIndex`);
    uint(get(proof, 'treeSize'), `${at}.inclusionProof.treeSize`);
    bytes(get(proof, 'rootHash'), `${at}.inclusionProof.rootHash`);
    list(get(proof, 'hashes')).forEach((h, j) => bytes(h, `${at}.inclusionProof.hashes[${j}]`));
  });
  list(get(get(vm, 'timestampVerificationData'), 'rfc3161Timestamps')).forEach((t, i) =>
    bytes(get(t, 'signedTimestamp'), `verificationMaterial.timestampVerificationData.rfc3161Timestamps[${i}].signedTimestamp`));
  return problems[0];
}
