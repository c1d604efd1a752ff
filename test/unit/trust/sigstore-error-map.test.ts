import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PolicyError, VerificationError } from '@sigstore/verify';
import { findBundleEncodingProblem } from '../../../electron/core/trust/bundle-encoding.ts';
import { mapSigstoreError, SIGSTORE_ERROR_MAP } from '../../../electron/core/trust/signature-verifier.ts';

describe('SIGSTORE_ERROR_MAP', () => {
  it('covers every error code the installed @sigstore/verify declares', () => {
    const dts = fs.readFileSync(path.join(path.dirname(createRequire(import.meta.url).resolve('@sigstore/verify')), 'error.d.ts'), 'utf8');
    const declared = [...dts.matchAll(/type \w+ErrorCode = ([^;]+);/g)].flatMap((m) => [...m[1]!.matchAll(/'([A-Z_]+)'/g)].map((x) => x[1]!));
    expect(declared.length).toBeGreaterThan(5);
    expect(Object.keys(SIGSTORE_ERROR_MAP).sort()).toEqual([...new Set(declared)].sort());
  });

  it('maps codes to SIG_* and anything unexpected to SIG_INVALID', () => {
    expect(mapSigstoreError(new VerificationError({ code: 'TLOG_ERROR', message: 'x' })).code).toBe('SIG_TLOG');
    expect(mapSigstoreError(new VerificationError({ code: 'TIMESTAMP_ERROR', message: 'x' })).code).toBe('SIG_TIMESTAMP');
    expect(mapSigstoreError(new VerificationError({ code: 'CERTIFICATE_ERROR', message: 'x' })).code).toBe('SIG_UNTRUSTED');
    expect(mapSigstoreError(new PolicyError({ code: 'UNTRUSTED_SIGNER_ERROR', message: 'x' })).code).toBe('SIG_UNTRUSTED');
    expect(mapSigstoreError(new VerificationError({ code: 'SIGNATURE_ERROR', message: 'x' })).code).toBe('SIG_INVALID');
    expect(mapSigstoreError(new TypeError('boom')).code).toBe('SIG_INVALID');
  });
});

describe('findBundleEncodingProblem', () => {
  it('accepts standard, unpadded and URL-safe base64 and integer strings', () => {
    expect(findBundleEncodingProblem({
      messageSignature: { signature: 'MEUCIQ==', messageDigest: { digest: 'q83v' } },
      verificationMaterial: { tlogEntries: [{ logIndex: '0', integratedTime: 1700000000, logId: { keyId: 'ab-_' }, inclusionProof: { logIndex: '12', treeSize: '13', rootHash: 'AAE', hashes: ['AAAA'] } }] },
    })).toBeUndefined();
  });

  it('names the first field that is not base64 or not a non-negative integer', () => {
    expect(findBundleEncodingProblem({ dsseEnvelope: { payload: 'e30=', signatures: [{ sig: 'a b' }] } })).toBe('dsseEnvelope.signatures[0].sig is not valid base64');
    expect(findBundleEncodingProblem({ verificationMaterial: { tlogEntries: [{ logIndex: '-1' }] } })).toBe('verificationMaterial.tlogEntries[0].logIndex is not a non-negative integer');
    expect(findBundleEncodingProblem({ verificationMaterial: { certificate: { rawBytes: 42 } } })).toBe('verificationMaterial.certificate.rawBytes is not valid base64');
    expect(findBundleEncodingProblem({ verificationMaterial: { timestampVerificationData: { rfc3161Timestamps: [{ signedTimestamp: 'A' }] } } })).toMatch(/signedTimestamp/);
  });
});
