// The one dispatcher both faces use: the Electron ipcMain bridge and the
// console-mode WebSocket server. It parses every request with the channel's
// schema, calls the handler, checks the response against the contract, and
// turns every failure into an error payload ({code, message, remedy …}). It
// imports nothing from Electron, so console mode and the tests run it in Node.
import type { z } from 'zod';
import { AirlockError, toErrorPayload } from '../../shared/airlock-error.ts';
import {
  IPC_CONTRACT,
  IPC_EVENTS,
  isIpcChannel,
  type ChannelDef,
  type IpcChannel,
  type IpcEventName,
  type IpcEventPayload,
  type IpcResponse,
  type IpcResult,
} from '../../shared/ipc-contract.ts';
import { formatFieldPath } from '../../shared/kit-manifest.ts';

export interface HandlerContext {
  /** Sends an event to the client that made this request. Only the channel's declared events may be sent. */
  emit<E extends IpcEventName>(event: E, payload: IpcEventPayload<E>): void;
  /** Aborted when that client goes away (window closed, socket dropped). */
  signal: AbortSignal;
}

export type IpcHandler<C extends IpcChannel> = (
  request: z.output<(typeof IPC_CONTRACT)[C]['request']>,
  ctx: HandlerContext,
) => Promise<IpcResponse<C>> | IpcResponse<C>;

/** One handler per contract channel; a missing one is a compile error. */
export type IpcHandlers = { [C in IpcChannel]: IpcHandler<C> };

/** Where the client's events go; each face supplies its own. */
export interface ClientConnection {
  send(event: IpcEventName, payload: unknown): void;
  signal: AbortSignal;
}

export interface DispatcherOptions {
  /** Called for INTERNAL failures (defects), so the face can log them. */
  onDefect?(channel: string, error: unknown): void;
}

function issueText(error: z.ZodError): { field: string; text: string } {
  const issue = error.issues[0];
  const field = issue ? formatFieldPath(issue.path) || '(request)' : '(request)';
  return { field, text: issue ? `${field}: ${issue.message}` : 'does not match the contract' };
}

export class ContractDispatcher {
  readonly #handlers: IpcHandlers;
  readonly #options: DispatcherOptions;

  constructor(handlers: IpcHandlers, options: DispatcherOptions = {}) {
    this.#handlers = handlers;
    this.#options = options;
  }

  /** Handles one request from one client. Never throws: failures come back as { ok: false, error }. */
  async dispatch(channel: unknown, request: unknown, client: ClientConnection): Promise<IpcResult<unknown>> {
    if (!isIpcChannel(channel)) {
      return { ok: false, error: new AirlockError('IPC_INVALID', `unknown channel ${JSON.stringify(String(channel)).slice(0, 80)}`, { field: 'channel' }).toPayload() };
    }
    const def: ChannelDef = IPC_CONTRACT[channel];
    const parsed = def.request.safeParse(request ?? {});
    if (!parsed.success) {
      const { field, text } = issueText(parsed.error);
      return { ok: false, error: new AirlockError('IPC_INVALID', `${channel} request rejected: ${text}`, { field }).toPayload() };
    }
    const ctx: HandlerContext = {
      signal: client.signal,
      emit: (event, payload) => {
        if (!def.events?.includes(event)) throw new AirlockError('INTERNAL', `${channel} emitted the undeclared event ${event}`);
        const checked = IPC_EVENTS[event].safeParse(payload);
        if (!checked.success) throw new AirlockError('INTERNAL', `${event} event does not match the contract: ${issueText(checked.error).text}`);
        if (!client.signal.aborted) client.send(event, checked.data);
      },
    };
    try {
      const handler = this.#handlers[channel] as (req: unknown, ctx: HandlerContext) => unknown;
      const value = await handler(parsed.data, ctx);
      const checked = def.response.safeParse(value);
      if (!checked.success) {
        throw new AirlockError('INTERNAL', `the ${channel} response does not match the contract: ${issueText(checked.error).text}`);
      }
      return { ok: true, value: checked.data };
    } catch (error) {
      const payload = toErrorPayload(error);
      if (payload.code === 'INTERNAL') this.#options.onDefect?.(channel, error);
      return { ok: false, error: payload };
    }
  }
}
