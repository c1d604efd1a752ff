import { AirlockError } from '../../../shared/airlock-error.ts';
import { formatAuditHead, openAuditLog, parseAuditHead } from '../../core/evidence/audit-catalog.ts';
import type { CommandSpec } from '../cli-types.ts';

export const auditVerifyCommand: CommandSpec = {
  words: ['audit', 'verify'],
  summary: 'check the audit chain for edited, deleted, inserted or reordered records',
  usage: 'audit verify [--head SEQ:HASH] [--json]',
  help: [
    'Recomputes every record\'s hash and link and names the first bad record (AUDIT_CHAIN_BROKEN).',
    'The chain alone cannot tell that its newest records were removed or that it was rewritten from',
    'scratch: pass --head with a head recorded elsewhere (an evidence bundle\'s manifest.json, a report,',
    'an earlier "audit verify") to check that the chain still reaches it unchanged.',
  ].join('\n'),
  options: { head: { type: 'string' } },
  positionals: { min: 0, max: 0 },
  async run(ctx) {
    const headOption = ctx.options.head as string | undefined;
    const knownHead = headOption === undefined ? undefined : parseAuditHead(headOption);
    const audit = openAuditLog(ctx.dataDir);
    try {
      const result = audit.log.verify(knownHead ? { knownHead } : {});
      if (!result.ok) {
        throw new AirlockError('AUDIT_CHAIN_BROKEN', `the audit chain is broken at record ${result.firstBadSeq}: ${result.reason}`, {
          path: audit.db.name,
          field: `audit_events[seq=${result.firstBadSeq}]`,
          details: { firstBadSeq: result.firstBadSeq, count: result.count, reason: result.reason },
        });
      }
      const head = audit.log.head();
      const text = result.count === 0
        ? 'OK  the audit chain is empty'
        : [
          `OK  the audit chain holds ${result.count} record(s), each linked to the one before`,
          `  head:  ${head ? formatAuditHead(head) : '-'}`,
          ...(knownHead ? [`  reaches the recorded head ${formatAuditHead(knownHead)} unchanged`] : [
            '  note:  compare the head with one recorded earlier (evidence bundle, report) to detect removed or rewritten records',
          ]),
        ].join('\n');
      return { json: { audit: { ok: true, count: result.count, head, knownHead: knownHead ?? null } }, text };
    } finally {
      audit.close();
    }
  },
};
