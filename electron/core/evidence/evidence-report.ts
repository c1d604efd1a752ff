// report.pdf: the evidence an auditor reads. Page 1 answers the questions in
// order — what was done, is it good, what kit, who signed it — and the pages
// after it hold the tables: digests, preflight, timeline, migrations,
// rollback, audit records, the bundle's contents. Drawn only from the
// EvidenceModel, so the same model gives byte-identical PDFs.
import { formatBytes } from '../../../shared/format.ts';
import type { SignerIdentity } from '../../../shared/kit-verification.ts';
import { canonicalJson } from './canonical-json.ts';
import type { EvidenceModel } from './evidence-model.ts';
import { INK, MUTED, PdfLayout, type PdfFonts, type TableCell } from './pdf-layout.ts';
import { formatFingerprint } from './workstation-key.ts';

const VERDICT_COLORS = {
  pass: { fill: '#e3f2e6', stroke: '#2e7d32', ink: '#1b5e20', word: 'PASS' },
  fail: { fill: '#fbe4e4', stroke: '#c62828', ink: '#8e1c1c', word: 'FAIL' },
  incomplete: { fill: '#fdf3dc', stroke: '#b7791f', ink: '#7a4f0e', word: 'INCOMPLETE' },
} as const;

const STATUS_INK: Record<string, string> = { pass: '#1b5e20', succeeded: '#1b5e20', ok: '#1b5e20', applied: '#1b5e20', warn: '#7a4f0e', 'rolled-back': '#7a4f0e', interrupted: '#7a4f0e', pending: MUTED, running: MUTED, skip: MUTED, skipped: MUTED, fail: '#8e1c1c', failed: '#8e1c1c', error: '#8e1c1c' };

const statusCell = (status: string): TableCell => ({ text: status, font: 'bold', color: STATUS_INK[status.toLowerCase()] ?? INK });

/** A recorded ISO time without a zero millisecond part, so it fits a table column on one line. */
function displayTime(t: string | null): string {
  return t === null ? '—' : t.replace(/\.000Z$/, 'Z');
}

export interface ReportIdentity {
  operationId: number;
  sumsSha256: string | null;
  head: { seq: number; hash: string } | null;
  workstationFingerprint: string;
}

/**
 * The PDF's Keywords entry: the operation, kit, chain head and key the report
 * is about, in plain ASCII, so `evidence verify` can check that the report and
 * manifest.json describe the same thing without parsing the drawn pages.
 */
export function reportKeywords(id: ReportIdentity): string {
  return [
    'airlock-evidence',
    `operation=${id.operationId}`,
    `sums=${id.sumsSha256 ?? 'none'}`,
    `head=${id.head ? `${id.head.seq}:${id.head.hash}` : 'none'}`,
    `workstation=${id.workstationFingerprint}`,
  ].join(' ');
}

function signerLines(s: SignerIdentity): Array<[string, string | TableCell]> {
  if (s.kind === 'key') {
    return [
      ['Signer kind', 'Public key (key-based signature)'],
      ['Key fingerprint (SHA-256 of SPKI)', { text: s.fingerprint, font: 'mono' }],
      ['Key hint (cosign)', { text: s.keyHint, font: 'mono' }],
    ];
  }
  return [
    ['Signer kind', 'Keyless (Fulcio certificate)'],
    ['Certificate identity', s.subject],
    ['Certificate issuer', s.issuer],
    ['Certificate SHA-256', { text: s.certificateSha256, font: 'mono' }],
  ];
}

function flatten(value: unknown, prefix: string, out: Array<[string, string]>): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    if (entries.length === 0) out.push([prefix, '{}']);
    for (const [k, v] of entries) flatten(v, prefix ? `${prefix}.${k}` : k, out);
    return;
  }
  if (Array.isArray(value) && value.every((v) => v === null || typeof v !== 'object')) {
    out.push([prefix, value.length === 0 ? '—' : value.map(String).join(', ')]);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => flatten(v, `${prefix}[${i}]`, out));
    return;
  }
  out.push([prefix, value === null ? '—' : typeof value === 'string' ? value : canonicalJson(value)]);
}

export interface ReportOptions {
  fonts: PdfFonts;
}

export async function renderEvidenceReport(model: EvidenceModel, options: ReportOptions): Promise<Buffer> {
  const op = model.operation;
  const kit = model.kit;
  const head = model.audit.head;
  const subjectLine = `${op.type} operation ${op.id}${kit ? ` — ${kit.name}@${kit.version}` : ''}`;
  const pdf = new PdfLayout(options.fonts, {
    title: `Airlock evidence report: ${subjectLine}`,
    subject: model.verdict.headline,
    keywords: reportKeywords({ operationId: op.id, sumsSha256: kit?.sumsSha256 ?? null, head, workstationFingerprint: model.workstationKey.fingerprint }),
    creator: `Airlock ${model.airlockVersion}`,
    date: new Date(op.endedAt ?? op.startedAt),
  });
  const kv = (rows: Array<[string, string | TableCell]>): void =>
    pdf.table([{ header: 'Field', width: 30 }, { header: 'Value', width: 70 }], rows.map(([k, v]) => [{ text: k, font: 'bold' }, v]));

  // Page 1: the verdict and the facts an auditor asks for first.
  pdf.paragraph('Airlock evidence report', { font: 'bold', size: 20 });
  pdf.paragraph(subjectLine, { size: 11, color: MUTED });
  pdf.space(10);
  const colors = VERDICT_COLORS[model.verdict.status];
  pdf.box([
    { text: `Verdict: ${colors.word}`, style: { font: 'bold', size: 16, color: colors.ink } },
    { text: model.verdict.headline, style: { font: 'bold', size: 10, color: colors.ink } },
    ...model.verdict.reasons.map((r) => ({ text: `• ${r}`, style: { size: 9, color: INK } })),
  ], colors);
  pdf.space(8);
  pdf.heading('Summary');
  kv([
    ['Operation', `${op.id} (${op.type})`],
    ['Status', statusCell(op.status)],
    ['Started', op.startedAt],
    ['Ended', op.endedAt ?? 'not recorded'],
    ...(op.errorCode ? [['Error', `${op.errorCode}${op.errorMessage ? `: ${op.errorMessage}` : ''}`] as [string, string]] : []),
    ['Operator (OS user)', model.operator?.actor ?? 'not recorded (no audit records)'],
    ['Host', model.operator?.host ?? 'not recorded (no audit records)'],
    ['Kit', kit ? `${kit.name}@${kit.version}` : 'No release is recorded for this operation'],
    ['Signer', kit ? (kit.signature.signer.kind === 'key' ? { text: `key ${kit.signature.signer.fingerprint}`, font: 'mono' } : `${kit.signature.signer.subject} (${kit.signature.signer.issuer})`) : '—'],
    ['SHA256SUMS digest', kit ? { text: `sha256:${kit.sumsSha256}`, font: 'mono' } : '—'],
    ['Audit chain head', head ? { text: `${head.seq}:${head.hash}`, font: 'mono' } : 'none (no audit records for this operation)'],
    ['Workstation key fingerprint', { text: model.workstationKey.fingerprint, font: 'mono' }],
    ['Airlock version', model.airlockVersion],
  ]);
  pdf.paragraph('Every time in this report is a recorded time (UTC). The report is part of an evidence bundle whose files are listed in EVIDENCE.SHA256SUMS, signed with the workstation key above; see the last section for how to re-check it without Airlock.', { size: 8, color: MUTED });

  pdf.heading('Kit identity');
  if (kit) {
    kv([
      ['Name', kit.name],
      ['Version', kit.version],
      ['Channel', kit.channel],
      ['Created (kit.json)', kit.created],
      ['Publisher (kit.json)', kit.publisher ?? 'not stated'],
      ...(kit.description ? [['Description', kit.description] as [string, string]] : []),
      ['Imported', `${kit.importedAt} by operation ${kit.importOperationId}`],
    ]);
  } else {
    pdf.paragraph('No release is recorded for this operation, so there is no kit identity, signer or digest table.', { color: MUTED });
  }

  if (kit) {
    const sig = kit.signature;
    pdf.heading('Signer');
    kv([
      ...signerLines(sig.signer),
      ['Trusted as publisher', sig.publisher],
      ['Bundle', `${sig.bundleMediaType} (${sig.content})`],
      ['Transparency-log entries', sig.tlogEntries.length === 0 ? 'none (offline key signature)' : String(sig.tlogEntries.length)],
      ['Timestamps', sig.timestamps.length === 0 ? 'none' : sig.timestamps.map((t) => `${t.time} (${t.source})`).join('; ')],
    ]);
    if (sig.tlogEntries.length > 0) {
      pdf.table(
        [{ header: 'Log index', width: 16 }, { header: 'Log ID', width: 50, font: 'mono' }, { header: 'Integrated time', width: 22 }, { header: 'Kind', width: 12 }],
        sig.tlogEntries.map((e) => [e.logIndex, e.logId, e.integratedTime ?? '—', e.kind]),
      );
    }

    pdf.heading('Digests');
    kv([
      ['SHA256SUMS', { text: `sha256:${kit.sumsSha256}`, font: 'mono' }],
      ['SHA256SUMS.sigstore.json', { text: `sha256:${kit.bundleSha256}`, font: 'mono' }],
      ['kit.json', { text: `sha256:${kit.manifestSha256}`, font: 'mono' }],
      ['Files listed in SHA256SUMS', String(kit.listedFileCount)],
      ['Files in the kit (with root files)', String(kit.fileCount)],
      ['Total bytes', `${kit.totalBytes} (${formatBytes(kit.totalBytes)})`],
      ['Result', 'Every file matched its SHA-256 in the signed SHA256SUMS; no file was missing or unlisted.'],
    ]);
    pdf.heading('Image references', 2);
    if (kit.images.length === 0) {
      pdf.paragraph('The kit holds no OCI images.', { color: MUTED });
    } else {
      pdf.table(
        [{ header: 'Reference', width: 33 }, { header: 'Digest', width: 56, font: 'mono' }, { header: 'Size', width: 11 }],
        kit.images.map((i) => [i.ref, i.digest, formatBytes(i.size)]),
        { monoSize: 6.3 },
      );
    }
  }

  pdf.heading('Preflight');
  const pf = model.preflight;
  if (pf) {
    const checks = Array.isArray(pf.checks) ? (pf.checks as Array<Record<string, unknown>>) : [];
    pdf.paragraph(`Verdict: ${String(pf.verdict ?? 'not recorded')}; generated ${String(pf.generatedAt ?? 'at an unrecorded time')}.`);
    pdf.space(3);
    pdf.table(
      [{ header: 'Check', width: 18 }, { header: 'Status', width: 9 }, { header: 'Observed', width: 30 }, { header: 'Expected', width: 25 }, { header: 'Remedy', width: 18 }],
      checks.map((c) => [String(c.title ?? c.id ?? ''), statusCell(String(c.status ?? '')), String(c.observed ?? ''), String(c.expected ?? ''), String(c.remedy ?? '')]),
    );
  } else {
    pdf.paragraph(model.sections.find((s) => s.file === 'preflight.json')?.note ?? 'No preflight was recorded.', { color: MUTED });
  }

  pdf.heading('Timeline');
  if (model.steps) {
    pdf.table(
      [{ header: 'Step', width: 18 }, { header: 'Started', width: 22 }, { header: 'Ended', width: 22 }, { header: 'Outcome', width: 12 }, { header: 'Detail', width: 26 }],
      model.steps.map((s) => [s.name, displayTime(s.startedAt), displayTime(s.endedAt), statusCell(s.outcome), s.detail ?? '']),
    );
  } else {
    pdf.paragraph('The operation recorded no separate steps; these are its recorded events.', { size: 8.5, color: MUTED });
    pdf.space(2);
    const events: Array<{ time: string; row: string[] }> = [{ time: op.startedAt, row: [displayTime(op.startedAt), 'operation started', op.type] }];
    for (const r of model.audit.records) {
      const fields: Array<[string, string]> = [];
      flatten(r.data, '', fields);
      events.push({ time: r.time, row: [displayTime(r.time), r.type, fields.map(([k, v]) => `${k}: ${v}`).join('; ')] });
    }
    if (op.endedAt) events.push({ time: op.endedAt, row: [displayTime(op.endedAt), `operation ${op.status}`, op.errorCode ? `${op.errorCode}: ${op.errorMessage ?? ''}` : ''] });
    // In time order (ISO times sort as text); the sort is stable, so equal times keep the order above.
    events.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
    pdf.table([{ header: 'Time', width: 22 }, { header: 'Event', width: 18 }, { header: 'Detail', width: 60 }], events.map((e) => e.row));
  }

  pdf.heading('Migrations');
  if (model.migrations && model.migrations.length > 0) {
    pdf.table(
      [{ header: 'ID', width: 14 }, { header: 'Database', width: 12 }, { header: 'Outcome', width: 11 }, { header: 'SHA-256 of the migration file / of the database backup', width: 63, font: 'mono' }],
      model.migrations.map((m) => [m.id, m.database ?? '—', statusCell(m.outcome ?? '—'), `file   ${m.sha256 ?? 'not recorded'}\nbackup ${m.backupSha256 ?? 'not recorded'}`]),
      { monoSize: 6.9 },
    );
  } else {
    pdf.paragraph(model.sections.find((s) => s.file === 'migrations.json')?.note ?? 'No migrations in this operation.', { color: MUTED });
  }

  pdf.heading('Rollback');
  if (model.rollback) {
    const rows: Array<[string, string]> = [];
    flatten(model.rollback, '', rows);
    kv(rows);
  } else {
    pdf.paragraph('No rollback in this operation.', { color: MUTED });
  }

  pdf.heading('Audit chain');
  if (head) {
    kv([
      ['Chain head (seq:hash)', { text: `${head.seq}:${head.hash}`, font: 'mono' }],
      ['Chain check', model.audit.check.ok ? `intact from record 1 through ${model.audit.check.checkedThrough}` : { text: `BROKEN at record ${model.audit.check.firstBadSeq}: ${model.audit.check.reason}`, color: '#8e1c1c', font: 'bold' }],
      ['Records of this operation', String(model.audit.records.length)],
    ]);
    pdf.table(
      [{ header: 'Seq', width: 6 }, { header: 'Time / actor@host', width: 25 }, { header: 'Type', width: 19 }, { header: 'Hash', width: 50, font: 'mono' }],
      model.audit.records.map((r) => [String(r.seq), `${displayTime(r.time)}\n${r.actor}@${r.host}`, r.type, r.hash]),
      { monoSize: 6.2 },
    );
    pdf.paragraph('To check that the workstation\'s chain still holds these records unchanged, run "airlock audit verify --head SEQ:HASH" with the head above.', { size: 8, color: MUTED });
  } else {
    pdf.paragraph('No audit records were found for this operation.', { color: MUTED });
  }

  pdf.heading('Bundle contents');
  pdf.table(
    [{ header: 'File', width: 30, font: 'mono' }, { header: 'Included', width: 12 }, { header: 'Note', width: 58 }],
    model.sections.map((s) => [s.file, s.included ? 'yes' : 'no', s.note ?? s.title]),
  );

  pdf.heading('Workstation key and re-checking');
  kv([['Workstation key fingerprint', { text: model.workstationKey.fingerprint, font: 'mono' }], ['Grouped for reading aloud', { text: formatFingerprint(model.workstationKey.fingerprint), font: 'mono' }]]);
  pdf.paragraph('Compare the fingerprint with the one the workstation shows ("airlock evidence key") over a channel you trust; a bundle proves only that whoever holds this key produced it. Then, in the bundle folder: "sha256sum -c EVIDENCE.SHA256SUMS"; verify EVIDENCE.SHA256SUMS.sigstore.json over EVIDENCE.SHA256SUMS with workstation.pub.pem (cosign verify-blob, or openssl); and verify the kit\'s SHA256SUMS.sigstore.json over SHA256SUMS with the publisher\'s key. docs/evidence.md gives the commands.', { size: 8.5 });

  pdf.footers(`Airlock evidence · ${op.type} operation ${op.id}`);
  return pdf.finish();
}
