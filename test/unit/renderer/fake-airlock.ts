// A stand-in for window.airlock in the renderer's unit tests: answers from a
// table per channel, records calls, and lets a test push events.
import type { AirlockBridge, IpcEventName, IpcResult } from '../../../shared/ipc-contract.ts';

export type Answer = (request: unknown) => IpcResult<unknown> | Promise<IpcResult<unknown>>;

export interface FakeBridge extends AirlockBridge {
  calls: Array<[string, unknown]>;
  answers: Map<string, Answer>;
  emit(event: IpcEventName, payload: unknown): void;
}

export function fakeBridge(answers: Record<string, Answer> = {}): FakeBridge {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const bridge: FakeBridge = {
    mode: 'console',
    calls: [],
    answers: new Map(Object.entries(answers)),
    async invoke(channel, request) {
      bridge.calls.push([channel, request]);
      const answer = bridge.answers.get(channel);
      if (!answer) return { ok: false, error: { code: 'INTERNAL', message: `no answer for ${channel}`, remedy: 'test' } };
      return answer(request);
    },
    on(event, listener) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener);
      return () => set.delete(listener);
    },
    emit(event, payload) {
      for (const l of listeners.get(event) ?? []) l(payload);
    },
  };
  return bridge;
}

export const ok = (value: unknown): IpcResult<unknown> => ({ ok: true, value });
export const fail = (code: string, message = 'failed', extra: Record<string, unknown> = {}): IpcResult<unknown> =>
  ({ ok: false, error: { code, message, remedy: `remedy for ${code}`, ...extra } }) as IpcResult<unknown>;

/** A promise the test resolves when it wants the "main side" to answer. */
export function deferred<T>(): { promise: Promise<T>; resolve(value: T): void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
