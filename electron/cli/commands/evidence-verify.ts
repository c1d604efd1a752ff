import { verifyEvidence, type EvidenceVerifyReport } from '../../core/evidence/evidence-verifier.ts';
import { resolveTrustPolicy } from '../../core/trust/trust-policy.ts';
import { AirlockError } from '../../../shared/airlock-error.ts';
import type { CommandSpec } from '../cli-types.ts';

export function evidenceVerifyText(r: EvidenceVerifyReport): string {
  return [
    `OK  evidence bundle ${r.dir} checks out`,
    `  operation:   ${r.operation.type} ${r.operation.id} (${r.operation.status}); recorded verdict: ${r.verdict.headline}`,
    `  files:       ${r.filesChecked} match EVIDENCE.SHA256SUMS; none missing or added`,
    `  signed by:   workstation key ${r.workstationFingerprint}${r.workstationKeyPinned ? ' (matches --key)' : ''}`,
    ...(r.kit ? [`  kit:         ${r.kit.name}@${r.kit.version}, SHA256SUMS sha256:${r.kit.sumsSha256}; signature ${r.kit.signature === 'verified' ? 're-verified with the given publisher key' : 'bound to SHA256SUMS and the recorded signer'}`] : ['  kit:         none (this operation recorded no release)']),
    `  audit:       ${r.audit.records} record(s), hashes and links intact; head ${r.audit.head ? `${r.audit.head.seq}:${r.audit.head.hash}` : 'none'}`,
    ...r.notes.map((n) => `  note:        ${n}`),
  ].join('\n');
}

export const evidenceVerifyCommand: CommandSpec = {
  words: ['evidence', 'verify'],
  summary: 're-check an evidence bundle offline (signature, every file, cross-references, audit records)',
  usage: 'evidence verify DIR [--key WORKSTATION.pub.pem] [--kit-key PUB.pem ... | --kit-policy FILE] [--json]',
  help: [
    '--key pins the workstation key (from the workstation, obtained out of band); without it the bundle\'s own',
    'workstation.pub.pem is used and the fingerprint still needs comparing. --kit-key or --kit-policy also',
    're-verifies the kit\'s signature cryptographically and checks it names the recorded signer.',
  ].join('\n'),
  options: { key: { type: 'string' }, 'kit-key': { type: 'string', multiple: true }, 'kit-policy': { type: 'string' } },
  positionals: { min: 1, max: 1 },
  async run(ctx) {
    const kitKeys = (ctx.options['kit-key'] as string[] | undefined) ?? [];
    const kitPolicy = ctx.options['kit-policy'] as string | undefined;
    if (kitKeys.length > 0 && kitPolicy !== undefined) throw new AirlockError('USAGE', 'give --kit-key or --kit-policy, not both', { field: '--kit-policy' });
    const kitTrust = kitPolicy !== undefined
      ? await resolveTrustPolicy({ policyFile: ctx.resolvePath(kitPolicy) })
      : kitKeys.length > 0 ? await resolveTrustPolicy({ keyFiles: kitKeys.map((k) => ctx.resolvePath(k)) }) : undefined;
    const key = ctx.options.key as string | undefined;
    const report = await verifyEvidence(ctx.resolvePath(ctx.positionals[0]!), {
      ...(key === undefined ? {} : { pinnedKeyPath: ctx.resolvePath(key) }),
      ...(kitTrust ? { kitTrust } : {}),
    });
    return { json: { evidence: report }, text: evidenceVerifyText(report) };
  },
};
