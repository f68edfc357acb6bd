/**
 * The envelope both transports (HTTP /f/<Method>, /fa/<Method> and the
 * WebSocket) carry. Success: {id, method, result: [...], cmdId}. Failure:
 * {id, method, error: {code, message}, cmdId}. `id` is the session (the seed
 * answers "1" for session-less calls), `cmdId` is echoed so that a client can
 * match answers to calls.
 */
import { z } from 'zod';
import type { WireError } from './errors.js';

/** Its plain check (envelope-plain.ts) must accept nothing this refuses: envelope-plain.test.ts. */
export const RequestEnvelope = z.strictObject({
  /** Session id; required for session methods. */
  id: z.string().max(128).optional(),
  /** Required on the WebSocket; over HTTP the URL names it (and must agree). */
  method: z.string().max(64).optional(),
  params: z.record(z.string(), z.unknown()).default({}),
  cmdId: z.string().max(128).default(''),
});
export type RequestEnvelope = z.input<typeof RequestEnvelope>;

export interface SuccessEnvelope<R extends readonly unknown[] = unknown[]> {
  id: string;
  method: string;
  result: R;
  cmdId: string;
}

export interface ErrorEnvelope {
  id: string;
  method: string;
  error: WireError;
  cmdId: string;
}

export type ResponseEnvelope = SuccessEnvelope | ErrorEnvelope;

export { NO_SESSION_ID } from './envelope-plain.js';
export { SESSION_HEADER } from './headers.js';
