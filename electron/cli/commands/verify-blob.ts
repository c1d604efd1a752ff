// `airlock verify-blob FILE --bundle B <trust>`: checks any artifact against a
// Sigstore bundle, fully offline, with the same verifier and trust policy as
// kits. Useful to check an SBOM, an attestation or a single download by hand.
import fs from 'node:fs/promises';
import { AirlockError } from '../../../shared/airlock-error.ts';
import type { SignatureVerdict, SignerIdentity } from '../../../shared/kit-verification.ts';
import { BUNDLE_MAX_BYTES, SignatureVerifier } from '../../core/trust/signature-verifier.ts';
import { resolveTrustPolicy } from '../../core/trust/trust-policy.ts';
import type { CommandSpec } from '../cli-types.ts';
import { TRUST_OPTIONS, TRUST_USAGE, trustInputFromOptions } from '../trust-flags.ts';

function signerText(signer: SignerIdentity): string {
  return signer.kind === 'key'
    ? `key sha256:${signer.fingerprint} (hint ${signer.keyHint})`
    : `${signer.subject} (issuer ${signer.issuer}, certificate sha256:${signer.certificateSha256})`;
}

export function verdictText(file: string, v: SignatureVerdict): string {
  const lines = [
    `OK  ${file} is signed by a trusted signer`,
    `  signer:     ${signerText(v.signer)}`,
    `  publisher:  ${v.publisher}`,
    `  signature:  ${v.content}, bundle ${v.bundleMediaType}`,
    `  evidence:   ${v.tlogEntries.length} transparency-log entries, ${v.timestamps.length} timestamps`,
  ];
  for (const e of v.tlogEntries) lines.push(`  log entry:  index ${e.logIndex} in log ${e.logId}${e.integratedTime ? ` at ${e.integratedTime}` : ''}`);
  for (const t of v.timestamps) lines.push(`  timestamp:  ${t.time} (${t.source})`);
  return lines.join('\n');
}

async function readBundle(file: string): Promise<Buffer> {
  try {
    const stat = await fs.stat(file);
    if (!stat.isFile()) throw new AirlockError('IO_ERROR', `${file} is not a regular file`, { path: file });
    if (stat.size > BUNDLE_MAX_BYTES) throw new AirlockError('BUNDLE_INVALID', `${file} is larger than ${BUNDLE_MAX_BYTES} bytes`, { path: file });
    return await fs.readFile(file);
  } catch (error) {
    if (error instanceof AirlockError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new AirlockError('IO_ERROR', `${file} ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${(error as Error).message})`}`, { path: file, cause: error });
  }
}

export const verifyBlobCommand: CommandSpec = {
  words: ['verify-blob'],
  summary: 'verify any file against a Sigstore bundle, offline, with the trust flags or policy',
  usage: `verify-blob FILE --bundle BUNDLE.sigstore.json ${TRUST_USAGE} [--json]`,
  help: [
    'Accepts Sigstore bundles v0.1, v0.2 and v0.3 holding a message signature over FILE',
    '(cosign sign-blob --bundle) or a DSSE in-toto statement with a subject whose sha256 is FILE\'s.',
    'Nothing is fetched: keys, trusted roots and identities come from the flags or the policy file.',
  ].join('\n'),
  options: { bundle: { type: 'string' }, ...TRUST_OPTIONS },
  positionals: { min: 1, max: 1 },
  async run(ctx) {
    const bundleOption = ctx.options.bundle as string | undefined;
    if (bundleOption === undefined) throw new AirlockError('USAGE', `--bundle is required\nusage: airlock ${verifyBlobCommand.usage}`, { field: '--bundle' });
    const trust = trustInputFromOptions(ctx);
    const file = ctx.resolvePath(ctx.positionals[0]!);
    const bundlePath = ctx.resolvePath(bundleOption);
    const policy = await resolveTrustPolicy(trust);
    const bundle = await readBundle(bundlePath);
    const verdict = await new SignatureVerifier(policy).verifyArtifactFile(bundle, file, { bundlePath });
    return { json: { file, bundle: bundlePath, signature: verdict }, text: verdictText(ctx.positionals[0]!, verdict) };
  },
};
