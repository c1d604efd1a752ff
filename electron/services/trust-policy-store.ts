// The app's trust policy file (KIT-FORMAT §8), which Settings shows and edits:
// by default <data-dir>/trust-policy.json, the same file `airlock … --policy`
// reads. Edits are checked with the same schema the core enforces and written
// atomically (temporary file, then rename), so a crash never leaves half a
// policy. Keys are stored inline as PEM text; a private Sigstore root is
// stored next to the policy and referenced by a relative path. Every change
// is recorded in the data folder's audit chain as a trust-policy.change event
// naming the publisher and the key fingerprint or identity added or removed.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { AirlockError, toErrorPayload } from '../../shared/airlock-error.ts';
import { openAuditLog } from '../core/evidence/audit-catalog.ts';
import type { AddKeylessRequest, AddKeyRequest, TrustSettings } from '../../shared/ipc-trust-schemas.ts';
import { parseTrustPolicyFile, PUBLIC_GOOD_ROOT, TRUST_POLICY_SCHEMA_V1, effectiveThresholds, type TrustPolicyFile } from '../../shared/trust-policy.ts';
import { loadPublicKey } from '../core/trust/key-identity.ts';
import { DEFAULT_TRUST_POLICY_FILE, loadTrustedRoot, resolveTrustPolicy, type TrustInput } from '../core/trust/trust-policy.ts';

export const DEFAULT_POLICY_FILE = DEFAULT_TRUST_POLICY_FILE;
export const TRUSTED_ROOTS_DIR = 'trusted-roots';

export interface TrustPolicyStoreOptions {
  policyPath: string;
  /** Folder holding sigstore/public-good-trusted-root.json (defaults to the checkout's resources/). */
  resourcesDir?: string;
  /** The data folder whose audit chain records each change; none: changes are not recorded (tests of the file logic only). */
  auditDataDir?: string;
}

type Publisher = TrustPolicyFile['publishers'][number];

/** The audit event type of a change to the trust policy. */
export const TRUST_POLICY_CHANGE_EVENT = 'trust-policy.change';

/** What one edit did, as the audit chain records it. */
export type TrustPolicyChange =
  | { action: 'add-key' | 'remove-key'; publisher: string; fingerprint: string | null; publisherRemoved?: boolean }
  | { action: 'add-identity' | 'remove-identity'; publisher: string; issuer: string; subject: string | null; subjectPattern: string | null; trustedRoot?: string | null; publisherRemoved?: boolean };

interface EditOutcome {
  next: TrustPolicyFile | null;
  /** null when the edit changed nothing (the key or identity was already there). */
  change: TrustPolicyChange | null;
}

export class TrustPolicyStore {
  readonly policyPath: string;
  readonly #resourcesDir: string | undefined;
  readonly #auditDataDir: string | undefined;
  /** Edits run one after another, so two quick clicks cannot lose an edit. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: TrustPolicyStoreOptions) {
    this.policyPath = options.policyPath;
    this.#resourcesDir = options.resourcesDir;
    this.#auditDataDir = options.auditDataDir;
  }

  /** What verification should trust; TRUST_POLICY_MISSING when no policy has been set up. */
  async trustInput(): Promise<TrustInput> {
    if ((await this.#readRaw()) === null) {
      throw new AirlockError('TRUST_POLICY_MISSING', `no trust policy at ${this.policyPath} yet`, { path: this.policyPath });
    }
    return { policyFile: this.policyPath };
  }

  async settings(): Promise<TrustSettings> {
    let policy: TrustPolicyFile | null;
    try {
      policy = await this.#read();
    } catch (error) {
      return { policyPath: this.policyPath, exists: true, publishers: [], problem: toErrorPayload(error) };
    }
    if (policy === null) return { policyPath: this.policyPath, exists: false, publishers: [] };
    let problem: TrustSettings['problem'];
    try {
      await resolveTrustPolicy({ policyFile: this.policyPath }, this.#resolveOptions());
    } catch (error) {
      problem = toErrorPayload(error);
    }
    const publishers = await Promise.all(policy.publishers.map((p) => this.#summarize(p)));
    return { policyPath: this.policyPath, exists: true, publishers, ...(problem ? { problem } : {}) };
  }

  addKey(request: AddKeyRequest): Promise<TrustSettings> {
    return this.#edit(async (policy) => {
      const identity = loadPublicKey(request.pem, 'the chosen key');
      const name = request.publisher.trim();
      for (const p of policy?.publishers ?? []) {
        for (const k of p.keys ?? []) {
          if ((await this.#fingerprintOf(k)) !== identity.fingerprint) continue;
          if (p.name === name) return { next: policy, change: null };
          throw new AirlockError('POLICY_INVALID', `this key (${identity.fingerprint}) is already pinned for publisher "${p.name}"`, {
            field: 'pem',
            remedy: `A key belongs to one publisher. Remove it from "${p.name}" first if it was added there by mistake.`,
          });
        }
      }
      const next = policy ?? { schema: TRUST_POLICY_SCHEMA_V1, publishers: [] };
      const publisher = findOrAdd(next, name);
      publisher.keys = [...(publisher.keys ?? []), { pem: identity.publicKeyPem }];
      return { next, change: { action: 'add-key', publisher: name, fingerprint: identity.fingerprint } };
    });
  }

  addKeyless(request: AddKeylessRequest): Promise<TrustSettings> {
    return this.#edit(async (policy) => {
      const next = policy ?? { schema: TRUST_POLICY_SCHEMA_V1, publishers: [] };
      const publisher = findOrAdd(next, request.publisher.trim());
      if (request.trustedRootJson !== undefined) {
        publisher.trustedRoot = await this.#storeTrustedRoot(request.trustedRootJson);
      } else if (publisher.trustedRoot === undefined) {
        publisher.trustedRoot = PUBLIC_GOOD_ROOT;
      }
      const identity = request.subject !== undefined
        ? { issuer: request.issuer.trim(), subject: request.subject.trim() }
        : { issuer: request.issuer.trim(), subjectPattern: request.subjectPattern! };
      const same = (publisher.keyless ?? []).some((k) => k.issuer === identity.issuer && k.subject === identity.subject && k.subjectPattern === identity.subjectPattern);
      if (!same) publisher.keyless = [...(publisher.keyless ?? []), identity];
      const change: TrustPolicyChange = {
        action: 'add-identity',
        publisher: publisher.name,
        issuer: identity.issuer,
        subject: identity.subject ?? null,
        subjectPattern: identity.subjectPattern ?? null,
        trustedRoot: publisher.trustedRoot ?? null,
      };
      // A new private root for an identity already trusted is still a change worth recording.
      return { next, change: same && request.trustedRootJson === undefined ? null : change };
    });
  }

  remove(request: { publisher: string; kind: 'key' | 'keyless'; index: number }): Promise<TrustSettings> {
    return this.#edit(async (policy) => {
      const publisher = policy?.publishers.find((p) => p.name === request.publisher);
      const list = request.kind === 'key' ? publisher?.keys : publisher?.keyless;
      if (!policy || !publisher || !list || request.index >= list.length) {
        throw new AirlockError('POLICY_INVALID', `publisher "${request.publisher}" has no ${request.kind === 'key' ? 'key' : 'keyless identity'} number ${request.index + 1}`, {
          path: this.policyPath,
          field: 'publishers',
          remedy: 'The policy changed since this page was shown; reopen Settings and try again.',
        });
      }
      const removed = list[request.index]!;
      let change: TrustPolicyChange;
      if (request.kind === 'key') {
        change = { action: 'remove-key', publisher: publisher.name, fingerprint: await this.#fingerprintOf(removed as { path?: string; pem?: string }) };
      } else {
        const k = removed as { issuer: string; subject?: string; subjectPattern?: string };
        change = { action: 'remove-identity', publisher: publisher.name, issuer: k.issuer, subject: k.subject ?? null, subjectPattern: k.subjectPattern ?? null };
      }
      list.splice(request.index, 1);
      if ((publisher.keys?.length ?? 0) === 0 && (publisher.keyless?.length ?? 0) === 0) {
        policy.publishers = policy.publishers.filter((p) => p !== publisher);
        change.publisherRemoved = true;
      } else {
        if (publisher.keys?.length === 0) delete publisher.keys;
        if (publisher.keyless?.length === 0) delete publisher.keyless;
      }
      return { next: policy.publishers.length === 0 ? null : policy, change };
    });
  }

  #resolveOptions(): { resourcesDir?: string } {
    return this.#resourcesDir === undefined ? {} : { resourcesDir: this.#resourcesDir };
  }

  async #readRaw(): Promise<Buffer | null> {
    try {
      return await fs.readFile(this.policyPath);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new AirlockError('IO_ERROR', `cannot read ${this.policyPath}: ${(error as Error).message}`, { path: this.policyPath, cause: error });
    }
  }

  async #read(): Promise<TrustPolicyFile | null> {
    const bytes = await this.#readRaw();
    if (bytes === null) return null;
    let json: unknown;
    try {
      json = JSON.parse(bytes.toString('utf8'));
    } catch (error) {
      throw new AirlockError('POLICY_INVALID', `${this.policyPath} is not JSON (${(error as Error).message})`, { path: this.policyPath, cause: error });
    }
    return parseTrustPolicyFile(json, this.policyPath);
  }

  /**
   * Applies one edit: validate the result with the core's own loader, replace
   * the file atomically, then record what changed in the audit chain.
   */
  #edit(edit: (policy: TrustPolicyFile | null) => Promise<EditOutcome>): Promise<TrustSettings> {
    const run = async (): Promise<TrustSettings> => {
      const current = await this.#read();
      const { next, change } = await edit(current === null ? null : structuredClone(current));
      if (next === null) {
        await fs.rm(this.policyPath, { force: true });
        if (change) this.#record(change, null);
        return this.settings();
      }
      const checked = parseTrustPolicyFile(JSON.parse(JSON.stringify(next)), this.policyPath);
      const text = `${JSON.stringify(checked, null, 2)}\n`;
      await fs.mkdir(path.dirname(this.policyPath), { recursive: true });
      const temp = `${this.policyPath}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
      try {
        await fs.writeFile(temp, text, { mode: 0o644 });
        // Check the edited policy loads (keys parse, roots exist) before it replaces the old one.
        await resolveTrustPolicy({ policyFile: temp }, this.#resolveOptions());
        const handle = await fs.open(temp, 'r+');
        try {
          await handle.sync();
        } finally {
          await handle.close();
        }
        await fs.rename(temp, this.policyPath);
      } catch (error) {
        await fs.rm(temp, { force: true });
        throw error instanceof AirlockError ? error : new AirlockError('IO_ERROR', `cannot write ${this.policyPath}: ${(error as Error).message}`, { path: this.policyPath, cause: error });
      }
      if (change) this.#record(change, text);
      return this.settings();
    };
    const result = this.#queue.then(run, run);
    this.#queue = result.catch(() => undefined);
    return result;
  }

  /** Appends the change to the audit chain, with the digest of the policy file it produced (null: the file was removed). */
  #record(change: TrustPolicyChange, policyText: string | null): void {
    if (this.#auditDataDir === undefined) return;
    const data = {
      ...change,
      policyPath: this.policyPath,
      policySha256: policyText === null ? null : createHash('sha256').update(policyText, 'utf8').digest('hex'),
    };
    try {
      const audit = openAuditLog(this.#auditDataDir);
      try {
        audit.log.append({ type: TRUST_POLICY_CHANGE_EVENT, data });
      } finally {
        audit.close();
      }
    } catch (error) {
      const e = toErrorPayload(error);
      throw new AirlockError(e.code, `the trust policy was changed (${change.action} for "${change.publisher}"), but the change could not be recorded in the audit chain: ${e.message}`, {
        path: this.policyPath,
        cause: error,
        remedy: 'The policy file holds the change. Check that the data folder is writable, then record the change by hand with your security officer.',
      });
    }
  }

  async #storeTrustedRoot(json: string): Promise<string> {
    const digest = createHash('sha256').update(json).digest('hex');
    const relative = `${TRUSTED_ROOTS_DIR}/${digest.slice(0, 16)}.json`;
    const target = path.join(path.dirname(this.policyPath), relative);
    await fs.mkdir(path.dirname(target), { recursive: true });
    const temp = `${target}.${randomBytes(4).toString('hex')}.tmp`;
    await fs.writeFile(temp, json);
    try {
      await loadTrustedRoot(temp, 'trustedRootJson');
    } catch (error) {
      await fs.rm(temp, { force: true });
      throw error instanceof AirlockError ? new AirlockError(error.code, error.message.replace(temp, 'the chosen trusted_root.json'), { field: 'trustedRootJson', cause: error }) : error;
    }
    await fs.rename(temp, target);
    return relative;
  }

  async #fingerprintOf(key: { path?: string | undefined; pem?: string | undefined }): Promise<string | null> {
    try {
      if (key.pem !== undefined) return loadPublicKey(key.pem, 'policy').fingerprint;
      const file = path.resolve(path.dirname(this.policyPath), key.path!);
      return loadPublicKey(await fs.readFile(file, 'utf8'), file).fingerprint;
    } catch {
      return null;
    }
  }

  async #summarize(p: Publisher): Promise<TrustSettings['publishers'][number]> {
    const keys = await Promise.all((p.keys ?? []).map(async (k) => {
      const fingerprint = await this.#fingerprintOf(k);
      const hint = fingerprint === null ? '' : Buffer.from(fingerprint, 'hex').toString('base64');
      return { fingerprint: fingerprint ?? 'unreadable', keyHint: hint, source: k.pem !== undefined ? 'stored in the policy' : String(k.path) };
    }));
    const thresholds = effectiveThresholds(p);
    return {
      name: p.name,
      keys,
      keyless: (p.keyless ?? []).map((k) => ({ issuer: k.issuer, subject: k.subject ?? null, subjectPattern: k.subjectPattern ?? null })),
      trustedRoot: p.trustedRoot ?? null,
      tlogThreshold: thresholds.tlogThreshold,
      timestampThreshold: thresholds.timestampThreshold,
      allowDowngrade: p.allowDowngrade ?? false,
    };
  }
}

function findOrAdd(policy: TrustPolicyFile, name: string): Publisher {
  let publisher = policy.publishers.find((p) => p.name === name);
  if (!publisher) {
    publisher = { name };
    policy.publishers.push(publisher);
  }
  return publisher;
}
