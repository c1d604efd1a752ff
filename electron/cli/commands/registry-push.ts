import { AirlockError } from '../../../shared/airlock-error.ts';
import { formatBytes, formatDuration } from '../../../shared/format.ts';
import type { FetchFunction } from '../../core/registry/oci-distribution-client.ts';
import { parsePushTarget } from '../../core/registry/oci-distribution-reference.ts';
import { Registry } from '../../core/registry/registry.ts';
import { pushImages, readLayoutImages, type PushResult, type ReleaseImages, type ReleaseImageSource } from '../../core/registry/registry-push.ts';
import type { CommandContext, CommandSpec } from '../cli-types.ts';
import { parseReleaseRef } from '../release-ref.ts';

export const PASSWORD_ENV = 'AIRLOCK_REGISTRY_PASSWORD';

/** How the command finds a release's images; the registry catalog provides it. */
export interface RegistryPushDeps {
  openReleaseImages(dataDir: string): Promise<ReleaseImageSource & { close?(): void | Promise<void> }>;
  /** The HTTP client; tests pass an in-memory registry. */
  fetch?: FetchFunction;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function pushText(result: PushResult): string {
  const lines = [`OK  pushed ${plural(result.images.length, 'image')} to ${result.registry} (${result.scheme}) in ${formatDuration(result.durationMs / 1000)}`];
  for (const image of result.images) {
    lines.push(`  ${image.target}`);
    lines.push(`    from:    ${image.ref}`);
    lines.push(`    digest:  ${image.digest}`);
    const parts = [
      `sent ${plural(image.blobs.sent, 'blob')} (${formatBytes(image.bytes.sent)})`,
      `skipped ${image.blobs.skipped} already there (${formatBytes(image.bytes.skipped)})`,
    ];
    if (image.blobs.mounted > 0) parts.push(`mounted ${image.blobs.mounted} from another repository (${formatBytes(image.bytes.mounted)})`);
    lines.push(`    blobs:   ${parts.join(', ')}; ${plural(image.manifests, 'manifest')}`);
  }
  lines.push(`  total:   sent ${formatBytes(result.bytes.sent)}, skipped ${formatBytes(result.bytes.skipped)}, mounted ${formatBytes(result.bytes.mounted)}`);
  return lines.join('\n');
}

async function resolveImages(ctx: CommandContext, deps: RegistryPushDeps): Promise<ReleaseImages> {
  const layout = ctx.options.layout as string | undefined;
  const release = ctx.positionals[0];
  if ((layout === undefined) === (release === undefined)) {
    throw new AirlockError('USAGE', 'give either NAME@VERSION (a release in the registry) or --layout DIR (an OCI image layout), not both or neither', { field: 'NAME@VERSION' });
  }
  if (layout !== undefined) {
    const layoutDir = ctx.resolvePath(layout);
    return { layoutDir, images: await readLayoutImages(layoutDir) };
  }
  const { name, version } = parseReleaseRef(release!);
  const source = await deps.openReleaseImages(ctx.dataDir);
  try {
    return await source.releaseImages(name, version);
  } finally {
    await source.close?.();
  }
}

function credentialsFrom(ctx: CommandContext): { username: string; password: string } | null {
  const username = ctx.options.username as string | undefined;
  const password = ctx.io.env[PASSWORD_ENV];
  if (username === undefined) return null;
  if (username === '') throw new AirlockError('USAGE', '--username is empty', { field: '--username' });
  if (password === undefined || password === '') {
    throw new AirlockError('USAGE', `--username ${username} needs its password in the environment variable ${PASSWORD_ENV} (never on the command line)`, { field: PASSWORD_ENV });
  }
  return { username, password };
}

export function createRegistryPushCommand(deps: RegistryPushDeps): CommandSpec {
  return {
    words: ['registry', 'push'],
    summary: 'push a release\'s OCI images (or any OCI layout\'s) to a container registry',
    usage: 'registry push (NAME@VERSION | --layout DIR) --to HOST[:PORT] [--insecure-http] [--username USER] [--json]',
    help: [
      'Pushes over the OCI distribution API: blobs the registry already has are skipped, the rest are',
      'streamed from disk; references keep their repository path and tag on the new host',
      '(registry.example/app/api:1.2.3 --to reg.lab:5000 becomes reg.lab:5000/app/api:1.2.3).',
      '',
      '  --to HOST[:PORT]    the target registry (HTTPS; trust a private CA with NODE_EXTRA_CA_CERTS)',
      '  --insecure-http     plain HTTP, for a lab registry; warns unless the host is loopback',
      `  --username USER     log in as USER; the password is read from ${PASSWORD_ENV}`,
      '  --layout DIR        push every named image (org.opencontainers.image.ref.name) of an OCI layout',
    ].join('\n'),
    options: {
      to: { type: 'string' },
      'insecure-http': { type: 'boolean' },
      username: { type: 'string' },
      layout: { type: 'string' },
    },
    positionals: { min: 0, max: 1 },
    async run(ctx) {
      const to = ctx.options.to as string | undefined;
      if (to === undefined) throw new AirlockError('USAGE', '--to HOST[:PORT] is required', { field: '--to' });
      const target = parsePushTarget(to);
      const insecureHttp = ctx.options['insecure-http'] === true;
      const credentials = credentialsFrom(ctx);
      if (insecureHttp && !target.loopback) {
        ctx.io.stderr.write(`airlock: warning: --insecure-http sends the images${credentials ? ' and your password' : ''} to ${target.host} unencrypted and unauthenticated; use it only on an isolated lab network\n`);
      }
      const { layoutDir, images } = await resolveImages(ctx, deps);
      const result = await pushImages({
        layoutDir,
        images,
        to,
        insecureHttp,
        credentials,
        onProgress: ctx.progress,
        signal: ctx.signal,
        ...(deps.fetch ? { fetch: deps.fetch } : {}),
        onRetry: ({ what, attempt, delayMs, reason }) => {
          ctx.io.stderr.write(`airlock: ${what}: try ${attempt} failed (${reason}); retrying in ${(delayMs / 1000).toFixed(1)} s\n`);
        },
      });
      return { json: { push: result }, text: pushText(result) };
    },
  };
}

/** NAME@VERSION → the release's images in the local registry's OCI layout (<data-dir>/registry/oci). */
export const registryReleaseImages: RegistryPushDeps['openReleaseImages'] = async (dataDir) => {
  const registry = await Registry.open(dataDir);
  return {
    async releaseImages(name, version) {
      const detail = registry.show(name, version);
      if (detail.images.length === 0) {
        throw new AirlockError('PUSH_FAILED', `${name}@${version} holds no OCI images, so there is nothing to push`, { details: { name, version } });
      }
      return { layoutDir: registry.store.ociDir, images: detail.images.map(({ ref, digest, mediaType }) => ({ ref, digest, mediaType })) };
    },
    close: () => registry.close(),
  };
};

export const registryPushCommand: CommandSpec = createRegistryPushCommand({ openReleaseImages: registryReleaseImages });
