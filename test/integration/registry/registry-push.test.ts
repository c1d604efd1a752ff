// Pushes a small OCI layout to Debian's docker-registry (distribution 2.8)
// on 127.0.0.1 and checks the result with skopeo, an independent client.
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../electron/cli/main.ts';
import { pushImages, type PushResult } from '../../../electron/core/registry/registry-push.ts';
import { startDockerRegistry, type RunningDockerRegistry } from '../../helpers/docker-registry.ts';
import { writeKeyPair } from '../../helpers/sigstore-keys.ts';
import { makePushLayout, type PushLayoutFixture } from '../../helpers/registry-push-layout.ts';

const run = promisify(execFile);

async function skopeo(...args: string[]): Promise<string> {
  const { stdout } = await run('skopeo', args, { encoding: 'buffer', timeout: 60_000, maxBuffer: 16 * 1024 * 1024 });
  return stdout.toString('utf8');
}

async function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    stderrIsTTY: false,
    env: { ...env },
    cwd: os.tmpdir(),
  });
  return { code, stdout, stderr };
}

// bcrypt (cost 4, so the registry checks it quickly) of "lab-password", for the user "pusher".
const HTPASSWD = 'pusher:$2b$04$iLldIMTxrGK39JYTBgDo/OWEVTkYsJ2fX1tdfKOGEjLEUOJOIycM2\n';

describe('registry push to docker-registry', () => {
  let tmp: string;
  let layout: PushLayoutFixture;
  let registry: RunningDockerRegistry | undefined;
  let first: PushResult;

  beforeAll(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'airlock-push-it-'));
    layout = await makePushLayout(path.join(tmp, 'layout'));
    registry = await startDockerRegistry();
  });

  afterAll(async () => {
    await registry?.stop();
    await fs.rm(tmp, { recursive: true, force: true });
  });

  it('pushes every named image of the layout with the CLI (--layout, --insecure-http, --json)', async () => {
    const r = await cli(['registry', 'push', '--layout', layout.dir, '--to', registry!.host, '--insecure-http', '--json']);
    expect(r.stderr).not.toContain('warning'); // loopback: no clear-text warning
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { ok: boolean; push: PushResult };
    expect(doc.ok).toBe(true);
    first = doc.push;
    const host = registry!.host;
    expect(first.images.map((i) => [i.target, i.digest])).toEqual([
      [`${host}/app/api:1.2.3`, layout.manifestAmd64.digest],
      [`${host}/app/api:1.2.3-multi`, layout.index.digest],
      [`${host}/app/worker:1.0.0`, layout.manifestAmd64.digest],
    ]);
    const apiBlobs = [layout.configAmd64, layout.layerShared, layout.layerAmd64, layout.configArm64, layout.layerArm64];
    expect(first.blobs).toEqual({ sent: 5, skipped: 0, mounted: 3 });
    expect(first.bytes.sent).toBe(apiBlobs.reduce((n, b) => n + b.size, 0));
    // The second repository got the image's blobs by cross-repo mount, not by sending them again.
    const worker = first.images[2]!;
    expect(worker.blobs).toEqual({ sent: 0, skipped: 0, mounted: 3 });
    expect(worker.bytes.mounted).toBe(layout.configAmd64.size + layout.layerShared.size + layout.layerAmd64.size);
    // M1 by tag; the index's child M2 by digest and the index by tag; M1 again under the worker repo.
    expect(first.images.map((i) => i.manifests)).toEqual([1, 2, 1]);
  });

  it('stores exactly the layout\'s manifests: skopeo inspect shows the digests and --raw the same bytes', async () => {
    const host = registry!.host;
    const api = JSON.parse(await skopeo('inspect', '--tls-verify=false', `docker://${host}/app/api:1.2.3`)) as { Digest: string; Architecture: string };
    expect(api.Digest).toBe(layout.manifestAmd64.digest);
    expect(api.Architecture).toBe('amd64');
    expect(Buffer.from(await skopeo('inspect', '--raw', '--tls-verify=false', `docker://${host}/app/api:1.2.3`))).toEqual(layout.manifestAmd64.bytes);

    // The multi-platform index is pushed whole, children included.
    expect(Buffer.from(await skopeo('inspect', '--raw', '--tls-verify=false', `docker://${host}/app/api:1.2.3-multi`))).toEqual(layout.index.bytes);
    expect(Buffer.from(await skopeo('inspect', '--raw', '--tls-verify=false', `docker://${host}/app/api@${layout.manifestArm64.digest}`))).toEqual(layout.manifestArm64.bytes);
    const arm = JSON.parse(await skopeo('inspect', '--tls-verify=false', '--override-arch', 'arm64', `docker://${host}/app/api:1.2.3-multi`)) as { Digest: string; Architecture: string };
    expect(arm.Architecture).toBe('arm64');

    const worker = JSON.parse(await skopeo('inspect', '--tls-verify=false', `docker://${host}/app/worker:1.0.0`)) as { Digest: string; Layers: string[] };
    expect(worker.Digest).toBe(layout.manifestAmd64.digest);
    expect(worker.Layers).toEqual([layout.layerShared.digest, layout.layerAmd64.digest]);
  });

  it('skips every blob on a second push (HEAD finds them) and still sets the tags', async () => {
    const again = await pushImages({ layoutDir: layout.dir, images: layout.images, to: registry!.host, insecureHttp: true });
    expect(again.blobs).toEqual({ sent: 0, skipped: 8, mounted: 0 });
    expect(again.bytes.sent).toBe(0);
    expect(again.bytes.skipped).toBe(first.bytes.sent + first.bytes.mounted);
    expect(again.images.map((i) => i.digest)).toEqual(first.images.map((i) => i.digest));
  });

  it('reads the layout back through skopeo copy from the registry with every digest intact', async () => {
    const out = path.join(tmp, 'copied');
    await run('skopeo', ['copy', '--all', '--preserve-digests', '--src-tls-verify=false', `docker://${registry!.host}/app/api:1.2.3-multi`, `oci:${out}:copy`], { timeout: 60_000 });
    const index = JSON.parse(await fs.readFile(path.join(out, 'index.json'), 'utf8')) as { manifests: Array<{ digest: string }> };
    expect(index.manifests[0]!.digest).toBe(layout.index.digest);
    const copiedLayer = await fs.readFile(path.join(out, 'blobs', 'sha256', layout.layerShared.digest.slice(7)));
    expect(copiedLayer.equals(layout.layerShared.bytes)).toBe(true);
  });

  it('fails with the registry\'s own error when a blob does not match its digest, and sends no manifest', async () => {
    const bad = await makePushLayout(path.join(tmp, 'bad'), { seed: 'tampered' });
    // Same size, other content: only the registry's digest check can notice.
    const file = path.join(bad.dir, 'blobs', 'sha256', bad.layerAmd64.digest.slice(7));
    const bytes = await fs.readFile(file);
    bytes[0] = bytes[0]! ^ 0xff;
    await fs.writeFile(file, bytes);
    const r = await cli(['registry', 'push', '--layout', bad.dir, '--to', registry!.host, '--insecure-http', '--json']);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as { ok: boolean; error: { code: string; message: string } };
    expect(doc.ok).toBe(false);
    expect(doc.error.code).toBe('PUSH_FAILED');
    expect(doc.error.message).toMatch(/DIGEST_INVALID/);
    // The tag still names the earlier, good image.
    const still = JSON.parse(await skopeo('inspect', '--tls-verify=false', `docker://${registry!.host}/app/api:1.2.3`)) as { Digest: string };
    expect(still.Digest).toBe(layout.manifestAmd64.digest);
    await expect(run('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${registry!.host}/app/api@${bad.manifestAmd64.digest}`], { timeout: 60_000 })).rejects.toThrow();
  });
});

describe('registry push with basic auth (htpasswd)', () => {
  let tmp: string;
  let layout: PushLayoutFixture;
  let registry: RunningDockerRegistry | undefined;

  beforeAll(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'airlock-push-auth-'));
    layout = await makePushLayout(path.join(tmp, 'layout'), { seed: 'auth' });
    registry = await startDockerRegistry({ htpasswd: HTPASSWD });
  });

  afterAll(async () => {
    await registry?.stop();
    await fs.rm(tmp, { recursive: true, force: true });
  });

  it('refuses to push without credentials (PUSH_AUTH)', async () => {
    const r = await cli(['registry', 'push', '--layout', layout.dir, '--to', registry!.host, '--insecure-http', '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).error.code).toBe('PUSH_AUTH');
  });

  it('refuses a wrong password (PUSH_AUTH) and wants the password only from the environment', async () => {
    const wrong = await cli(['registry', 'push', '--layout', layout.dir, '--to', registry!.host, '--insecure-http', '--username', 'pusher', '--json'], { AIRLOCK_REGISTRY_PASSWORD: 'nope' });
    expect(wrong.code).toBe(1);
    const err = JSON.parse(wrong.stdout).error as { code: string; message: string };
    expect(err.code).toBe('PUSH_AUTH');
    expect(err.message).toContain('pusher');
    const noEnv = await cli(['registry', 'push', '--layout', layout.dir, '--to', registry!.host, '--insecure-http', '--username', 'pusher', '--json']);
    expect(noEnv.code).toBe(2);
    expect(JSON.parse(noEnv.stdout).error.message).toContain('AIRLOCK_REGISTRY_PASSWORD');
  });

  it('pushes with --username and AIRLOCK_REGISTRY_PASSWORD', async () => {
    const r = await cli(['registry', 'push', '--layout', layout.dir, '--to', registry!.host, '--insecure-http', '--username', 'pusher'], { AIRLOCK_REGISTRY_PASSWORD: 'lab-password' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`${registry!.host}/app/api:1.2.3-multi`);
    const raw = await skopeo('inspect', '--raw', '--tls-verify=false', '--creds', 'pusher:lab-password', `docker://${registry!.host}/app/worker:1.0.0`);
    expect(Buffer.from(raw)).toEqual(layout.manifestAmd64.bytes);
  });
});

describe('registry push over HTTPS (the default)', () => {
  let tmp: string;
  let layout: PushLayoutFixture;
  let registry: RunningDockerRegistry | undefined;
  let certFile: string;

  beforeAll(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'airlock-push-tls-'));
    layout = await makePushLayout(path.join(tmp, 'layout'), { seed: 'tls' });
    certFile = path.join(tmp, 'registry.crt');
    const keyFile = path.join(tmp, 'registry.key');
    await run('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyFile, '-out', certFile,
    ], { timeout: 30_000 });
    registry = await startDockerRegistry({ tls: { certFile, keyFile } });
  });

  afterAll(async () => {
    await registry?.stop();
    await fs.rm(tmp, { recursive: true, force: true });
  });

  it('refuses a certificate it cannot verify at once, pointing at NODE_EXTRA_CA_CERTS', async () => {
    const r = await cli(['registry', 'push', '--layout', layout.dir, '--to', registry!.host, '--json']);
    expect(r.code).toBe(1);
    const error = JSON.parse(r.stdout).error as { code: string; message: string };
    expect(error.code).toBe('PUSH_FAILED');
    expect(error.message).toMatch(/NODE_EXTRA_CA_CERTS/);
  });

  it('pushes over HTTPS when the registry\'s CA is trusted', async () => {
    const bin = path.resolve(import.meta.dirname, '../../../bin/airlock.js');
    const { stdout } = await run(process.execPath, [bin, 'registry', 'push', '--layout', layout.dir, '--to', registry!.host, '--json'], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: certFile },
      timeout: 60_000,
    });
    const push = (JSON.parse(stdout) as { push: PushResult }).push;
    expect(push.scheme).toBe('https');
    expect(push.blobs).toEqual({ sent: 5, skipped: 0, mounted: 3 });
    const raw = await skopeo('inspect', '--raw', '--tls-verify=false', `docker://${registry!.host}/app/api:1.2.3-multi`);
    expect(Buffer.from(raw)).toEqual(layout.index.bytes);
  });
});

describe('registry push NAME@VERSION from the local registry', () => {
  let tmp: string;
  let layout: PushLayoutFixture;
  let registry: RunningDockerRegistry | undefined;

  beforeAll(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'airlock-push-release-'));
    const keys = await writeKeyPair(tmp, 'publisher');
    const kitDir = path.join(tmp, 'kit');
    layout = await makePushLayout(path.join(kitDir, 'images'), { seed: 'release' });
    await fs.writeFile(path.join(kitDir, 'kit.json'), JSON.stringify({ schema: 'airlock.kit/v1', name: 'myapp', version: '1.2.3', created: '2026-01-01T00:00:00Z' }));
    const kit = path.join(tmp, 'myapp.kit.tar');
    const built = await cli(['kit', 'build', kitDir, '--out', kit, '--key', keys.privatePath, '--json']);
    expect(built.code, built.stdout).toBe(0);
    const imported = await cli(['kit', 'import', kit, '--key', keys.publicPath, '--data-dir', path.join(tmp, 'data'), '--json']);
    expect(imported.code, imported.stdout).toBe(0);
    registry = await startDockerRegistry();
  });

  afterAll(async () => {
    await registry?.stop();
    await fs.rm(tmp, { recursive: true, force: true });
  });

  it('pushes the imported release\'s images from the registry\'s OCI layout', async () => {
    const r = await cli(['registry', 'push', 'myapp@1.2.3', '--to', registry!.host, '--insecure-http', '--data-dir', path.join(tmp, 'data'), '--json']);
    expect(r.code, r.stdout).toBe(0);
    const push = (JSON.parse(r.stdout) as { push: PushResult }).push;
    expect(push.images.map((i) => [i.ref, i.digest])).toEqual(layout.images.map((i) => [i.ref, i.digest]));
    expect(push.blobs).toEqual({ sent: 5, skipped: 0, mounted: 3 });
    const raw = await skopeo('inspect', '--raw', '--tls-verify=false', `docker://${registry!.host}/app/api:1.2.3-multi`);
    expect(Buffer.from(raw)).toEqual(layout.index.bytes);
  });

  it('reports a release the registry does not hold', async () => {
    const r = await cli(['registry', 'push', 'myapp@9.9.9', '--to', registry!.host, '--insecure-http', '--data-dir', path.join(tmp, 'data'), '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).error.code).toBe('RELEASE_NOT_FOUND');
  });
});
