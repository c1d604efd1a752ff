// Settings → trust policy. Forms are checked with the contract's own request
// schemas before anything is sent, so a typo shows next to its field instead
// of coming back as a malformed request.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ErrorPayload } from '../../shared/airlock-error.ts';
import { formatFieldPath } from '../../shared/kit-manifest.ts';
import { addKeylessRequestSchema, addKeyRequestSchema, type AddKeylessRequest, type AddKeyRequest, type TrustSettings } from '../../shared/ipc-trust-schemas.ts';
import { errorPayloadOf, type AirlockClient } from '../api/airlock-client.ts';
import type { TaskStatus } from './kit-flow-store.ts';

/** Outcome of a form submit: done, problems per field, or an error from the main side. */
export type TrustEditOutcome =
  | { ok: true; settings: TrustSettings }
  | { ok: false; fieldErrors: Record<string, string>; error: ErrorPayload | null };

export interface TrustState {
  status: TaskStatus;
  settings: TrustSettings | null;
  error: ErrorPayload | null;
  /** Fingerprint of the key added last, shown for out-of-band comparison. */
  lastAddedFingerprint: string | null;

  load(): Promise<void>;
  addKey(request: AddKeyRequest): Promise<TrustEditOutcome>;
  addKeyless(request: AddKeylessRequest): Promise<TrustEditOutcome>;
  remove(publisher: string, kind: 'key' | 'keyless', index: number): Promise<TrustEditOutcome>;
}

function fieldErrors(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of issues) {
    const field = formatFieldPath(issue.path) || 'form';
    out[field] ??= issue.message;
  }
  return out;
}

function fingerprints(settings: TrustSettings | null): Set<string> {
  return new Set((settings?.publishers ?? []).flatMap((p) => p.keys.map((k) => k.fingerprint)));
}

export function createTrustStore(client: AirlockClient): StoreApi<TrustState> {
  return createStore<TrustState>()((set, get) => {
    const apply = async (send: () => Promise<TrustSettings>): Promise<TrustEditOutcome> => {
      try {
        const before = fingerprints(get().settings);
        const settings = await send();
        const added = [...fingerprints(settings)].find((f) => !before.has(f)) ?? null;
        set({ settings, status: 'done', error: null, lastAddedFingerprint: added });
        return { ok: true, settings };
      } catch (error) {
        const payload = errorPayloadOf(error);
        return { ok: false, fieldErrors: payload.field ? { [payload.field]: payload.message } : {}, error: payload };
      }
    };
    return {
      status: 'idle',
      settings: null,
      error: null,
      lastAddedFingerprint: null,

      async load() {
        set({ status: 'running', error: null });
        try {
          set({ status: 'done', settings: await client.call('trust.get', {}) });
        } catch (error) {
          set({ status: 'failed', error: errorPayloadOf(error) });
        }
      },

      async addKey(request) {
        const parsed = addKeyRequestSchema.safeParse(request);
        if (!parsed.success) return { ok: false, fieldErrors: fieldErrors(parsed.error.issues), error: null };
        return apply(() => client.call('trust.addKey', parsed.data));
      },

      async addKeyless(request) {
        const parsed = addKeylessRequestSchema.safeParse(request);
        if (!parsed.success) return { ok: false, fieldErrors: fieldErrors(parsed.error.issues), error: null };
        return apply(() => client.call('trust.addKeyless', parsed.data));
      },

      remove(publisher, kind, index) {
        return apply(() => client.call('trust.remove', { publisher, kind, index }));
      },
    };
  });
}
