import { formatBytes } from '../../../shared/format.ts';
import type { KitVerification, SignerIdentity } from '../../../shared/kit-verification.ts';
import { verifyKit } from '../../core/kit/kit-verifier.ts';
import { SignatureVerifier } from '../../core/trust/signature-verifier.ts';
import { resolveTrustPolicy } from '../../core/trust/trust-policy.ts';
import type { CommandSpec } from '../cli-types.ts';
import { TRUST_OPTIONS, TRUST_USAGE, trustInputFromOptions } from '../trust-flags.ts';

export function describeSigner(signer: SignerIdentity): string {
  return signer.kind === 'key'
    ? `key ${signer.fingerprint} (hint ${signer.keyHint})`
    : `${signer.subject} (issuer ${signer.issuer})`;
}

export function verificationText(v: KitVerification): string {
  const container = v.container.kind === 'directory'
    ? 'unpacked directory'
    : `archive, ${v.container.compression === 'none' ? 'uncompressed' : v.container.compression}${v.container.parts ? `, ${v.container.parts} parts` : ''}`;
  const lines = [
    `OK  ${v.name}@${v.version} is genuine and complete`,
    `  channel:    ${v.channel}`,
    `  created:    ${v.created}`,
    `  publisher:  ${v.publisher ?? '(not stated)'}; trusted as "${v.signature.publisher}"`,
    `  signer:     ${describeSigner(v.signature.signer)}`,
    `  signature:  ${v.signature.content}, ${v.signature.tlogEntries.length} log entries, ${v.signature.timestamps.length} timestamps`,
    `  files:      ${v.fileCount} (${formatBytes(v.totalBytes)}), every digest matches SHA256SUMS`,
    `  SHA256SUMS: sha256:${v.sumsSha256}`,
    `  container:  ${container}, ${formatBytes(v.container.bytesRead)} read${v.singlePass ? '' : ' (root files not first: checked at the end)'}`,
  ];
  for (const image of v.images) lines.push(`  image:      ${image.ref} ${image.digest}`);
  return lines.join('\n');
}

export const kitVerifyCommand: CommandSpec = {
  words: ['kit', 'verify'],
  summary: 'verify a kit fully and offline: signature, every file digest, kit.json, OCI images; writes nothing',
  usage: `kit verify KIT ${TRUST_USAGE} [--json]`,
  help: 'KIT is a .kit.tar[.gz|.zst] file, a split kit (.parts.json or any .partNNN), or an unpacked kit directory.',
  options: { ...TRUST_OPTIONS },
  positionals: { min: 1, max: 1 },
  async run(ctx) {
    const policy = await resolveTrustPolicy(trustInputFromOptions(ctx));
    const { summary } = await verifyKit(ctx.resolvePath(ctx.positionals[0]!), {
      signature: new SignatureVerifier(policy),
      onProgress: ctx.progress,
      signal: ctx.signal,
    });
    return { json: { verification: summary }, text: verificationText(summary) };
  },
};
