// The renderer's typed view of window.airlock, derived from the IPC contract:
// call('kit.verify', …) takes that channel's request type and resolves to its
// response type, and a failure arrives as an AirlockClientError carrying the
// error payload ({code, message, remedy …}) that the error card shows. Only the
// stores use this; components never touch the bridge.
import type { ErrorPayload } from '../../shared/airlock-error.ts';
import type {
  AirlockBridge,
  AppMode,
  InvokableChannel,
  IpcEventName,
  IpcEventPayload,
  IpcRequest,
  IpcResponse,
  IpcResult,
} from '../../shared/ipc-contract.ts';
import { ERROR_CATALOG } from '../../shared/error-catalog.ts';

export class AirlockClientError extends Error {
  readonly payload: ErrorPayload;

  constructor(payload: ErrorPayload) {
    super(payload.message);
    this.name = 'AirlockClientError';
    this.payload = payload;
  }
}

/** Any failure as an error payload, so the UI always has a code, plain words and a remedy. */
export function errorPayloadOf(error: unknown): ErrorPayload {
  if (error instanceof AirlockClientError) return error.payload;
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'INTERNAL', message, remedy: ERROR_CATALOG.INTERNAL.remedy };
}

export interface AirlockClient {
  readonly mode: AppMode;
  call<C extends InvokableChannel>(channel: C, request: IpcRequest<C>): Promise<IpcResponse<C>>;
  on<E extends IpcEventName>(event: E, listener: (payload: IpcEventPayload<E>) => void): () => void;
  /** Desktop app only (bridge.dropFiles); elsewhere resolves with nothing registered. */
  dropFiles(files: readonly File[]): Promise<IpcResponse<'kits.dropped'>>;
}

function unwrap<T>(result: IpcResult<unknown>): T {
  if (result && typeof result === 'object' && 'ok' in result) {
    if (result.ok) return result.value as T;
    throw new AirlockClientError(result.error);
  }
  throw new AirlockClientError({ code: 'INTERNAL', message: 'the main side answered with something that is not an IPC result', remedy: ERROR_CATALOG.INTERNAL.remedy });
}

export function createAirlockClient(bridge: AirlockBridge): AirlockClient {
  return {
    mode: bridge.mode,
    async call(channel, request) {
      return unwrap(await bridge.invoke(channel, request));
    },
    on(event, listener) {
      return bridge.on(event, (payload) => listener(payload as IpcEventPayload<typeof event>));
    },
    async dropFiles(files) {
      if (!bridge.dropFiles) return { kits: [], rejected: files.map((f) => ({ name: f.name, reason: 'a browser does not tell Airlock where a dropped file is; put it in a kit folder instead' })) };
      return unwrap(await bridge.dropFiles(files));
    },
  };
}
