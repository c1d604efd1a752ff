// A kit made only with shell tools — sha256sum, openssl, GNU tar, printf —
// and no Airlock code must verify in Airlock: the format is the contract, not
// our builder.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AirlockError } from '../../../shared/airlock-error.ts';
import { verifyKit } from '../../../electron/core/kit/kit-verifier.ts';
import { SignatureVerifier } from '../../../electron/core/trust/signature-verifier.ts';
import { resolveTrustPolicy } from '../../../electron/core/trust/trust-policy.ts';

const MAKE_KIT = String.raw`
set -euo pipefail
umask 022
mkdir -p kit/payload/bin kit/payload/share/docs kit/migrations keys

# The release
printf '#!/bin/sh\necho foreign\n' > kit/payload/bin/tool
chmod 755 kit/payload/bin/tool
printf 'made without Airlock\n' > kit/payload/share/docs/README.txt
printf 'CREATE TABLE things (id INTEGER PRIMARY KEY);\n' > kit/migrations/0001_things.sql
cat > kit/kit.json <<'JSON'
{
  "schema": "airlock.kit/v1",
  "name": "foreign",
  "version": "0.3.0",
  "created": "2026-01-01T00:00:00Z",
  "publisher": "shell tools",
  "requires": { "platforms": [{ "os": "debian", "versions": ["12"] }] },
  "databases": [{ "id": "app", "engine": "sqlite", "path": "var/app.db" }],
  "migrations": [{ "id": "0001_things", "database": "app", "path": "migrations/0001_things.sql" }]
}
JSON

# SHA256SUMS: every file but the two signature files, sorted by bytes
( cd kit && find . -type f ! -name SHA256SUMS ! -name SHA256SUMS.sigstore.json -printf '%P\n' \
    | LC_ALL=C sort | xargs -d '\n' sha256sum -- > SHA256SUMS )

# A P-256 key, PKCS#8, and its public half
openssl ecparam -genkey -name prime256v1 -noout | openssl pkcs8 -topk8 -nocrypt -out keys/key.pem
openssl pkey -in keys/key.pem -pubout -out keys/pub.pem

# cosign's key hint, the message digest and the signature, all base64
hint=$(openssl pkey -pubin -in keys/pub.pem -outform DER | openssl dgst -sha256 -binary | openssl base64 -A)
digest=$(openssl dgst -sha256 -binary kit/SHA256SUMS | openssl base64 -A)
sig=$(openssl dgst -sha256 -sign keys/key.pem kit/SHA256SUMS | openssl base64 -A)
printf '{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{"publicKey":{"hint":"%s"},"tlogEntries":[],"timestampVerificationData":{"rfc3161Timestamps":[]}},"messageSignature":{"messageDigest":{"algorithm":"SHA2_256","digest":"%s"},"signature":"%s"}}\n' \
  "$hint" "$digest" "$sig" > kit/SHA256SUMS.sigstore.json

TAR="tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@1767225600 --format=pax"
# Plain "tar the folder": sorted by name, with folder entries and "./" prefixes
$TAR -cf sorted.kit.tar -C kit .
# The builder's order: the three root files first
$TAR -cf ordered.kit.tar -C kit SHA256SUMS.sigstore.json SHA256SUMS kit.json migrations payload
gzip -n -9 -c sorted.kit.tar > sorted.kit.tar.gz
zstd -q -19 -c ordered.kit.tar > ordered.kit.tar.zst

# Standard tools agree before Airlock is asked
mkdir check && tar -xf sorted.kit.tar -C check && ( cd check && sha256sum -c --strict --quiet SHA256SUMS )
openssl dgst -sha256 -verify keys/pub.pem -signature <(openssl base64 -d -A <<< "$sig") kit/SHA256SUMS >/dev/null
`;

let tmp: string;

async function verify(file: string): ReturnType<typeof verifyKit> {
  const policy = await resolveTrustPolicy({ keyFiles: [path.join(tmp, 'keys/pub.pem')] });
  return verifyKit(path.join(tmp, file), { signature: new SignatureVerifier(policy) });
}

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'airlock-foreign-'));
  execFileSync('bash', ['-c', MAKE_KIT], { cwd: tmp, stdio: ['ignore', 'pipe', 'pipe'] });
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('a kit made with shell tools only', () => {
  it('verifies as a plain sorted tar with folder entries and "./" names', async () => {
    const { summary, files } = await verify('sorted.kit.tar');
    expect(summary).toMatchObject({ name: 'foreign', version: '0.3.0', publisher: 'shell tools' });
    expect(summary.container).toMatchObject({ kind: 'archive', compression: 'none' });
    expect(summary.signature.signer.kind).toBe('key');
    expect(files.map((f) => f.path)).toEqual([
      'SHA256SUMS', 'SHA256SUMS.sigstore.json', 'kit.json', 'migrations/0001_things.sql', 'payload/bin/tool', 'payload/share/docs/README.txt',
    ]);
    expect(files.find((f) => f.path === 'payload/bin/tool')?.executable).toBe(true);
  });

  it('verifies in a single pass when the root files come first, and compressed by gzip -n and zstd', async () => {
    expect((await verify('ordered.kit.tar')).summary.singlePass).toBe(true);
    expect((await verify('sorted.kit.tar.gz')).summary.container.compression).toBe('gzip');
    const zst = await verify('ordered.kit.tar.zst');
    expect(zst.summary.container.compression).toBe('zstd');
    expect(zst.summary.singlePass).toBe(true);
  });

  it('is refused once a file is changed after signing', async () => {
    execFileSync('bash', ['-c', String.raw`
      set -euo pipefail
      rm -rf tampered && cp -a kit tampered && printf 'changed\n' > tampered/payload/share/docs/README.txt
      tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@1767225600 --format=pax -cf tampered.kit.tar -C tampered .
    `], { cwd: tmp });
    const error = await verify('tampered.kit.tar').then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(AirlockError);
    expect((error as AirlockError).code).toBe('KIT_DIGEST_MISMATCH');
    expect((error as AirlockError).path).toBe('payload/share/docs/README.txt');
  });
});
