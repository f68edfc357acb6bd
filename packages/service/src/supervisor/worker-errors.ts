/**
 * Errors as data across the process boundary: `{code, message, stack,
 * details}` out, a ScanbridgeError with the worker's stack back in, so that a
 * paper jam raised in a device worker is a paper jam in the service.
 */
import { isErrorCode, ScanbridgeError } from '@scanbridge/protocol/core';
import type { WorkerError } from './worker-messages.js';

export function toWorkerError(err: unknown): WorkerError {
  if (err instanceof ScanbridgeError) {
    const e = err as ScanbridgeError;
    return { code: e.code, message: e.message, ...(e.stack ? { stack: e.stack } : {}), ...(e.details ? { details: e.details } : {}) };
  }
  const error = err instanceof Error ? err : new Error(String(err));
  return { code: 'internal-error', message: error.message, ...(error.stack ? { stack: error.stack } : {}) };
}

/** `where` names the worker in the rebuilt stack, e.g. "sane worker sane:test:0 (pid 1234)". */
export function fromWorkerError(wire: WorkerError, where: string): ScanbridgeError {
  const code = isErrorCode(wire.code) ? wire.code : 'internal-error';
  const message = code === wire.code ? wire.message : `${wire.message} (unknown error code "${wire.code}" from ${where})`;
  const error = new ScanbridgeError(code, message, wire.details);
  if (wire.stack) error.stack = `${wire.stack}\n    --- in ${where} ---`;
  return error;
}
