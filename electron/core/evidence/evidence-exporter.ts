// `evidence export`: writes one operation's evidence bundle as a folder (and
// optionally a .tar of it). The folder is built beside the destination under a
// temporary name and renamed into place only when complete, so a reader never
// sees half a bundle. Every file but the workstation signature is a function of
// recorded data: exporting the same operation twice gives the same bytes,
// except EVIDENCE.SHA256SUMS.sigstore.json (ECDSA signatures are randomized).
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { AirlockError } from '../../../shared/airlock-error.ts';
import { formatSha256Sums, compareUtf8 } from '../kit/sha256sums.ts';
import { endOfArchive, fileHeader, paddingFor } from '../kit/tar-writer.ts';
import { signMessageBundle } from '../trust/sign-blob.ts';
import { collectEvidence, type EvidenceSources } from './evidence-collector.ts';
import {
  EVIDENCE_FILES, auditDocument, manifestDocument, migrationsDocument, operationDocument, preflightDocument, rollbackDocument, verificationDocument,
} from './evidence-files.ts';
import type { EvidenceVerdict } from './evidence-model.ts';
import { renderEvidenceReport } from './evidence-report.ts';
import { fontsIn } from './pdf-layout.ts';
import type { WorkstationKey } from './workstation-key.ts';

export interface EvidenceExportDeps extends EvidenceSources {
  workstationKey: WorkstationKey;
  airlockVersion: string;
  /** Folder holding DejaVuSans.ttf, DejaVuSans-Bold.ttf and DejaVuSansMono.ttf (resources/fonts). */
  fontsDir: string;
}

export interface EvidenceExportOptions {
  /** Default: the latest finished operation. */
  operationId?: number;
  outDir: string;
  /** Also write <outDir>.tar holding the same files. */
  tar?: boolean;
}

export interface EvidenceFileEntry {
  path: string;
  sha256: string;
  size: number;
}

export interface EvidenceExportResult {
  outDir: string;
  tarPath: string | null;
  operationId: number;
  operationType: string;
  verdict: EvidenceVerdict;
  auditHead: { seq: number; hash: string } | null;
  workstationFingerprint: string;
  files: EvidenceFileEntry[];
  /** Hex SHA-256 of EVIDENCE.SHA256SUMS: names this bundle's content. */
  evidenceSumsSha256: string;
}

const sha256Hex = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

function ioError(what: string, file: string, error: unknown): AirlockError {
  if (error instanceof AirlockError) return error;
  return new AirlockError('IO_ERROR', `cannot ${what} ${file}: ${(error as Error).message}`, { path: file, cause: error });
}

/** Refuses an output that exists and is not an empty folder; returns whether an empty folder is there. */
function checkOutput(outDir: string): boolean {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(outDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw ioError('read', outDir, error);
  }
  if (!st.isDirectory()) throw new AirlockError('OUTPUT_EXISTS', `${outDir} exists and is not a folder`, { path: outDir });
  if (fs.readdirSync(outDir).length > 0) throw new AirlockError('OUTPUT_EXISTS', `${outDir} is not empty; give a new or empty folder for the evidence bundle`, { path: outDir });
  return true;
}

function writeDurable(file: string, data: Uint8Array): void {
  const fd = fs.openSync(file, 'wx', 0o644);
  try {
    fs.writeFileSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function syncDir(dir: string): void {
  // Directories cannot be opened for fsync on Windows; there the rename is what we have.
  if (process.platform === 'win32') return;
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** A deterministic ustar archive of the files (sorted by name, fixed mtime and modes, no owners). */
export function evidenceTar(files: Array<{ path: string; data: Uint8Array }>, mtimeSeconds: number): Buffer {
  const parts: Buffer[] = [];
  for (const f of [...files].sort((a, b) => compareUtf8(a.path, b.path))) {
    parts.push(fileHeader({ path: f.path, size: f.data.byteLength, mode: 0o644, mtime: mtimeSeconds }), Buffer.from(f.data), paddingFor(f.data.byteLength));
  }
  parts.push(endOfArchive());
  return Buffer.concat(parts);
}

export async function exportEvidence(deps: EvidenceExportDeps, options: EvidenceExportOptions): Promise<EvidenceExportResult> {
  const outDir = path.resolve(options.outDir);
  const tarPath = options.tar ? `${outDir}.tar` : null;
  checkOutput(outDir);
  if (tarPath && fs.existsSync(tarPath)) throw new AirlockError('OUTPUT_EXISTS', `${tarPath} already exists`, { path: tarPath });

  const { model, kitFiles } = await collectEvidence(deps, options.operationId, {
    airlockVersion: deps.airlockVersion,
    workstationFingerprint: deps.workstationKey.fingerprint,
  });
  const files = new Map<string, Uint8Array>();
  const text = (name: string, doc: string | null): void => {
    if (doc !== null) files.set(name, Buffer.from(doc, 'utf8'));
  };
  if (kitFiles) {
    files.set(EVIDENCE_FILES.kitManifest, kitFiles.manifest);
    files.set(EVIDENCE_FILES.sums, kitFiles.sums);
    files.set(EVIDENCE_FILES.sumsBundle, kitFiles.bundle);
  }
  text(EVIDENCE_FILES.manifest, manifestDocument(model));
  text(EVIDENCE_FILES.verification, verificationDocument(model));
  text(EVIDENCE_FILES.preflight, preflightDocument(model));
  text(EVIDENCE_FILES.operation, operationDocument(model));
  text(EVIDENCE_FILES.migrations, migrationsDocument(model));
  text(EVIDENCE_FILES.rollback, rollbackDocument(model));
  text(EVIDENCE_FILES.audit, auditDocument(model));
  text(EVIDENCE_FILES.workstationKey, deps.workstationKey.publicKeyPem);
  files.set(EVIDENCE_FILES.report, await renderEvidenceReport(model, { fonts: fontsIn(deps.fontsDir) }));

  const entries: EvidenceFileEntry[] = [...files].map(([p, data]) => ({ path: p, sha256: sha256Hex(data), size: data.byteLength }));
  const sums = Buffer.from(formatSha256Sums(entries), 'utf8');
  files.set(EVIDENCE_FILES.evidenceSums, sums);
  files.set(EVIDENCE_FILES.evidenceBundle, Buffer.from(`${JSON.stringify(signMessageBundle(sums, deps.workstationKey.signingKey), null, 2)}\n`, 'utf8'));

  const parent = path.dirname(outDir);
  const tmp = path.join(parent, `.${path.basename(outDir)}.partial-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    fs.mkdirSync(parent, { recursive: true });
    fs.mkdirSync(tmp);
  } catch (error) {
    throw ioError('create', tmp, error);
  }
  let tarTmp: string | null = null;
  try {
    for (const [name, data] of files) writeDurable(path.join(tmp, name), data);
    syncDir(tmp);
    if (tarPath) {
      tarTmp = `${tmp}.tar`;
      const mtime = Math.floor(Date.parse(model.operation.endedAt ?? model.operation.startedAt) / 1000);
      writeDurable(tarTmp, evidenceTar([...files].map(([p, data]) => ({ path: p, data })), Number.isFinite(mtime) && mtime > 0 ? mtime : 0));
    }
    // Re-check just before the rename: another process may have filled the folder meanwhile.
    if (checkOutput(outDir)) fs.rmdirSync(outDir);
    fs.renameSync(tmp, outDir);
    if (tarTmp && tarPath) {
      fs.linkSync(tarTmp, tarPath);
      fs.rmSync(tarTmp, { force: true });
      tarTmp = null;
    }
    syncDir(parent);
  } catch (error) {
    fs.rmSync(tmp, { recursive: true, force: true });
    if (tarTmp) fs.rmSync(tarTmp, { force: true });
    if (error instanceof AirlockError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOTEMPTY') throw new AirlockError('OUTPUT_EXISTS', `${code === 'EEXIST' && tarPath && fs.existsSync(tarPath) ? tarPath : outDir} appeared while the bundle was written`, { path: outDir });
    throw ioError('write the evidence bundle to', outDir, error);
  }

  const evidenceSumsSha256 = sha256Hex(sums);
  deps.audit.append({
    type: 'evidence.export',
    operationId: null,
    data: {
      exportedOperationId: model.operation.id,
      operationType: model.operation.type,
      out: outDir,
      tar: tarPath,
      evidenceSumsSha256,
      verdict: model.verdict.status,
      auditHead: model.audit.head,
      workstationFingerprint: deps.workstationKey.fingerprint,
    },
  });

  return {
    outDir,
    tarPath,
    operationId: model.operation.id,
    operationType: model.operation.type,
    verdict: model.verdict,
    auditHead: model.audit.head,
    workstationFingerprint: deps.workstationKey.fingerprint,
    files: [...files].map(([p, data]) => ({ path: p, sha256: sha256Hex(data), size: data.byteLength })).sort((a, b) => compareUtf8(a.path, b.path)),
    evidenceSumsSha256,
  };
}
