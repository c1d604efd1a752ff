// A publisher without Airlock or cosign can sign with openssl and write the
// bundle by hand; Airlock must accept that shape (another test builds a whole
// kit this way). The key is made by openssl too, in both PEM encodings.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprintOf } from '../../../electron/core/trust/key-identity.ts';
import { loadSigningKey, signMessageBundle } from '../../../electron/core/trust/sign-blob.ts';
import { SignatureVerifier } from '../../../electron/core/trust/signature-verifier.ts';
import { resolveTrustPolicy } from '../../../electron/core/trust/trust-policy.ts';

let dir: string;

function openssl(...args: string[]): Buffer {
  return execFileSync('openssl', args, { cwd: dir });
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-openssl-'));
  openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'key.pem');
  openssl('pkey', '-in', 'key.pem', '-pubout', '-out', 'pub.pem');
  openssl('ec', '-in', 'key.pem', '-out', 'sec1.pem');
  fs.writeFileSync(path.join(dir, 'SHA256SUMS'), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  empty.txt\n');
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('bundles assembled from openssl output', () => {
  it('verifies a hand-written v0.3 bundle around `openssl dgst -sha256 -sign`', async () => {
    openssl('dgst', '-sha256', '-sign', 'key.pem', '-out', 'sig', 'SHA256SUMS');
    const spki = openssl('pkey', '-pubin', '-in', 'pub.pem', '-outform', 'DER');
    // cosign's key hint: base64 of the SHA-256 of the DER public key.
    const hint = execFileSync('openssl', ['dgst', '-sha256', '-binary'], { input: spki }).toString('base64');
    const digest = execFileSync('openssl', ['dgst', '-sha256', '-binary', 'SHA256SUMS'], { cwd: dir }).toString('base64');
    const bundle = {
      mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
      verificationMaterial: { publicKey: { hint }, tlogEntries: [] },
      messageSignature: {
        messageDigest: { algorithm: 'SHA2_256', digest },
        signature: fs.readFileSync(path.join(dir, 'sig')).toString('base64'),
      },
    };
    const policy = await resolveTrustPolicy({ keyFiles: [path.join(dir, 'pub.pem')] });
    const sums = fs.readFileSync(path.join(dir, 'SHA256SUMS'));
    const verdict = new SignatureVerifier(policy).verifyKitSums(Buffer.from(JSON.stringify(bundle)), sums);
    expect(verdict.signer).toEqual({ kind: 'key', keyHint: hint, fingerprint: fingerprintOf(spki) });
  });

  it('loads openssl keys in PKCS#8 and SEC1 form for signing, and openssl verifies the result', () => {
    const pkcs8 = loadSigningKey(fs.readFileSync(path.join(dir, 'key.pem'), 'utf8'), 'key.pem');
    const sec1 = loadSigningKey(fs.readFileSync(path.join(dir, 'sec1.pem'), 'utf8'), 'sec1.pem');
    expect(sec1.fingerprint).toBe(pkcs8.fingerprint);
    const sums = fs.readFileSync(path.join(dir, 'SHA256SUMS'));
    const bundle = signMessageBundle(sums, sec1) as { messageSignature: { signature: string } };
    fs.writeFileSync(path.join(dir, 'airlock.sig'), Buffer.from(bundle.messageSignature.signature, 'base64'));
    expect(openssl('dgst', '-sha256', '-verify', 'pub.pem', '-signature', 'airlock.sig', 'SHA256SUMS').toString()).toMatch(/Verified OK/);
  });
});
