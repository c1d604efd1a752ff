import { AirlockError } from '../../../shared/airlock-error.ts';
import { canonicalJson } from '../../core/evidence/canonical-json.ts';
import { openAuditLog } from '../../core/evidence/audit-catalog.ts';
import type { AuditRecord } from '../../core/evidence/audit-log.ts';
import type { CommandSpec } from '../cli-types.ts';

function parseId(value: string | undefined, field: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[1-9]\d{0,15}$/.test(value)) throw new AirlockError('USAGE', `${field} takes a positive whole number, got "${value}"`, { field });
  return Number(value);
}

export function auditListText(records: AuditRecord[]): string {
  if (records.length === 0) return 'No audit records match.';
  return records
    .map((r) => `${String(r.seq).padStart(5)}  ${r.time}  ${r.actor}@${r.host}  ${r.type}${r.operationId === null ? '' : `  op ${r.operationId}`}  ${canonicalJson(r.data)}`)
    .join('\n');
}

export const auditListCommand: CommandSpec = {
  words: ['audit', 'list'],
  summary: 'list audit records (all, or one operation\'s)',
  usage: 'audit list [--operation ID] [--since SEQ] [--json]',
  options: { operation: { type: 'string' }, since: { type: 'string' } },
  positionals: { min: 0, max: 0 },
  async run(ctx) {
    const operationId = parseId(ctx.options.operation as string | undefined, '--operation');
    const sinceSeq = parseId(ctx.options.since as string | undefined, '--since');
    const audit = openAuditLog(ctx.dataDir);
    try {
      const records = audit.log.list({ ...(operationId === undefined ? {} : { operationId }), ...(sinceSeq === undefined ? {} : { sinceSeq }) });
      return { json: { records, head: audit.log.head() }, text: auditListText(records) };
    } finally {
      audit.close();
    }
  },
};
