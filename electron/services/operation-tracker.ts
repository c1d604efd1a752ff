// Running operations by the id the client chose, so "cancel" can find them,
// and so one id is never used by two operations at once. An operation may say
// when it can no longer be cancelled (an install past its switch): cancel then
// answers false and leaves it running to its end.
import { AirlockError } from '../../shared/airlock-error.ts';
import type { HandlerContext } from '../ipc/contract-dispatcher.ts';

interface Running {
  controller: AbortController;
  cancellable: () => boolean;
}

export class OperationTracker {
  readonly #running = new Map<string, Running>();

  /**
   * Runs work with a signal that aborts on cancel or when the client goes away.
   * `cancellable` is asked at each cancel request (default: always).
   */
  async run<T>(operationId: string, ctx: HandlerContext, work: (signal: AbortSignal) => Promise<T>, options: { cancellable?: () => boolean } = {}): Promise<T> {
    if (this.#running.has(operationId)) {
      throw new AirlockError('IPC_INVALID', `operation ${operationId} is already running`, { field: 'operationId' });
    }
    const controller = new AbortController();
    const onGone = (): void => controller.abort();
    ctx.signal.addEventListener('abort', onGone, { once: true });
    this.#running.set(operationId, { controller, cancellable: options.cancellable ?? (() => true) });
    try {
      if (ctx.signal.aborted) controller.abort();
      return await work(controller.signal);
    } finally {
      this.#running.delete(operationId);
      ctx.signal.removeEventListener('abort', onGone);
    }
  }

  /** True when the operation was running and could still be cancelled. */
  cancel(operationId: string): boolean {
    const running = this.#running.get(operationId);
    if (!running || !running.cancellable()) return false;
    running.controller.abort();
    return true;
  }
}
