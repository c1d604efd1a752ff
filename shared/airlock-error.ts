import { ERROR_CATALOG, isErrorCode, type ErrorCode } from './error-catalog.ts';

/** What an error looks like when it crosses a process boundary or is printed as JSON. */
export interface ErrorPayload {
  code: ErrorCode;
  message: string;
  /** The kit path, file path or part the error is about. */
  path?: string;
  /** The manifest or policy field the error is about (dotted, e.g. `requires.platforms[0].os`). */
  field?: string;
  remedy: string;
  details?: Record<string, unknown>;
}

export interface AirlockErrorOptions {
  path?: string;
  field?: string;
  remedy?: string;
  details?: Record<string, unknown>;
  cause?: unknown;
}

/** An expected failure with a stable code. Anything else that escapes is a defect (INTERNAL). */
export class AirlockError extends Error {
  readonly code: ErrorCode;
  readonly path: string | undefined;
  readonly field: string | undefined;
  readonly remedy: string;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: AirlockErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AirlockError';
    this.code = code;
    this.path = options.path;
    this.field = options.field;
    this.remedy = options.remedy ?? ERROR_CATALOG[code].remedy;
    this.details = options.details;
  }

  toPayload(): ErrorPayload {
    const payload: ErrorPayload = { code: this.code, message: this.message, remedy: this.remedy };
    if (this.path !== undefined) payload.path = this.path;
    if (this.field !== undefined) payload.field = this.field;
    if (this.details !== undefined) payload.details = this.details;
    return payload;
  }

  static fromPayload(payload: ErrorPayload): AirlockError {
    return new AirlockError(payload.code, payload.message, {
      path: payload.path,
      field: payload.field,
      remedy: payload.remedy,
      details: payload.details,
    });
  }
}

export function isAirlockError(value: unknown): value is AirlockError {
  return value instanceof AirlockError;
}

/**
 * Turns anything thrown into a payload. Unexpected errors become INTERNAL and keep
 * their original message so the defect can be reported; they never pose as a
 * kit verdict.
 */
export function toErrorPayload(error: unknown): ErrorPayload {
  if (error instanceof AirlockError) return error.toPayload();
  if (typeof error === 'object' && error !== null && 'code' in error && isErrorCode((error as { code: unknown }).code)) {
    const e = error as { code: ErrorCode; message?: unknown; path?: unknown };
    return {
      code: e.code,
      message: typeof e.message === 'string' ? e.message : ERROR_CATALOG[e.code].title,
      remedy: ERROR_CATALOG[e.code].remedy,
      ...(typeof e.path === 'string' ? { path: e.path } : {}),
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'INTERNAL', message, remedy: ERROR_CATALOG.INTERNAL.remedy };
}
