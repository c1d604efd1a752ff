// Bounded retries for registry requests: network errors, 429 and 5xx are
// retried with exponential backoff and jitter (honouring Retry-After), within
// a fixed number of tries and a total wait budget, so a dead registry fails in
// seconds rather than hanging a push. Everything else fails at once.
import { AirlockError } from '../../../shared/airlock-error.ts';

export interface RetryOptions {
  /** Attempts in all, the first included. */
  tries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** The most the retries of one operation may wait in total. */
  maxTotalDelayMs: number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** In [0, 1); injected so tests get fixed delays. */
  random: () => number;
  /** Wall clock in ms, for Retry-After dates. */
  now: () => number;
}

/** A failure worth another try: the network dropped, or the registry said 429 or 5xx. */
export class TransientFailure extends Error {
  readonly status: number | null;
  readonly retryAfterMs: number | null;

  constructor(message: string, opts: { status?: number | null; retryAfterMs?: number | null; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'TransientFailure';
    this.status = opts.status ?? null;
    this.retryAfterMs = opts.retryAfterMs ?? null;
  }
}

export function abortError(signal: AbortSignal): AirlockError {
  const reason: unknown = signal.reason;
  return reason instanceof AirlockError ? reason : new AirlockError('CANCELLED', 'the push was cancelled');
}

export function sleepWithSignal(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortError(signal));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortError(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export const DEFAULT_RETRY: RetryOptions = {
  tries: 5,
  baseDelayMs: 500,
  maxDelayMs: 8000,
  maxTotalDelayMs: 30_000,
  sleep: sleepWithSignal,
  random: Math.random,
  now: Date.now,
};

export function retryOptions(overrides: Partial<RetryOptions> = {}): RetryOptions {
  return { ...DEFAULT_RETRY, ...overrides };
}

/** The wait before retry number `retry` (1 = after the first failure): exponential, capped, with jitter in [½, 1]. */
export function backoffDelayMs(retry: number, opts: Pick<RetryOptions, 'baseDelayMs' | 'maxDelayMs' | 'random'>): number {
  const exp = Math.min(opts.maxDelayMs, opts.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.round(exp * (0.5 + 0.5 * opts.random()));
}

/** Retry-After is either delay-seconds or an HTTP date; returns ms from now, or null when absent or unreadable. */
export function parseRetryAfter(value: string | null, nowMs: number): number | null {
  if (value === null) return null;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const date = Date.parse(v);
  if (Number.isNaN(date)) return null;
  return Math.max(0, date - nowMs);
}

/**
 * Runs `op` until it succeeds, throws something other than a
 * TransientFailure, or the tries or the wait budget run out (then PUSH_FAILED
 * naming `what` and the last failure).
 */
export async function withRetry<T>(
  what: string,
  op: (attempt: number) => Promise<T>,
  options: RetryOptions,
  signal?: AbortSignal,
  onRetry?: (info: { attempt: number; delayMs: number; failure: TransientFailure }) => void,
): Promise<T> {
  let waited = 0;
  for (let attempt = 1; ; attempt++) {
    if (signal?.aborted) throw abortError(signal);
    try {
      return await op(attempt);
    } catch (error) {
      if (!(error instanceof TransientFailure)) throw error;
      if (signal?.aborted) throw abortError(signal);
      const delayMs = error.retryAfterMs ?? backoffDelayMs(attempt, options);
      const giveUp = attempt >= options.tries
        ? `after ${attempt} tries`
        : waited + delayMs > options.maxTotalDelayMs
          ? error.retryAfterMs !== null
            ? `the registry asked to wait ${Math.ceil(delayMs / 1000)} s, beyond the retry budget of ${Math.round(options.maxTotalDelayMs / 1000)} s`
            : `after ${attempt} tries (retry budget of ${Math.round(options.maxTotalDelayMs / 1000)} s spent)`
          : null;
      if (giveUp !== null) {
        throw new AirlockError('PUSH_FAILED', `${what} failed ${giveUp}: ${error.message}`, {
          cause: error,
          details: { attempts: attempt, ...(error.status !== null ? { status: error.status } : {}) },
        });
      }
      onRetry?.({ attempt, delayMs, failure: error });
      waited += delayMs;
      await options.sleep(delayMs, signal);
    }
  }
}
