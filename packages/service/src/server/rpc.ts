/**
 * The one dispatcher behind both transports: checks the envelope, the method,
 * the session and the params against @scanbridge/protocol, runs the handler
 * and wraps the answer (or the error) in the seed's envelope.
 *
 * A plain envelope and the params of an exact method (METHOD_TABLE) are taken
 * without the zod schemas, which then load with the first call that needs
 * them (util/full-protocol.ts): a page's first calls are answered without
 * building them. Whatever those checks leave undecided, failures included,
 * the schemas decide, so every error reads as before.
 */
import { METHOD_TABLE, NO_SESSION_ID, ScanbridgeError, parseExact, plainEnvelope } from '@scanbridge/protocol/core';
import type { ErrorEnvelope, MethodName, ParsedEnvelope, ResponseEnvelope } from '@scanbridge/protocol';
import { fullProtocol } from '../util/full-protocol.js';
import type { ServiceContext } from './context.js';
import { HANDLERS } from './handlers/index.js';
import { toScanbridgeError } from '../jobs/job-manager.js';
import { requireCaller, type Principal } from '../security/principal.js';
import type { BinarySlot } from './binary-transport.js';

/** Methods anyone may call: the seed's version probe, and the way to get a token. */
const PUBLIC_METHODS = new Set(['VersionInfo', 'RequestAccess']);
/** Methods only the local user (administrator token) may call. */
const ADMIN_METHODS = new Set(['ListOrigins', 'AllowOrigin', 'RevokeOrigin', 'ListNetworkScanners', 'AddNetworkScanner', 'RemoveNetworkScanner']);

export interface CallSource {
  /** Who calls, authenticated by the gate. */
  principal: Principal;
  transport: 'http' | 'ws';
  /** True when the HTTP request is a GET (only safe methods may run). */
  get: boolean;
  /** /fa/ (no session) or /f/ (session methods); the WebSocket serves both. */
  scope: 'fa' | 'f' | 'any';
  /** HTTP only: the file sent as the request body (methods with `binaryBody`). */
  body?: Buffer | undefined;
  /** HTTP only: where a handler may leave a file to answer instead of JSON. */
  binary?: BinarySlot | undefined;
  /** HTTP only: aborted when the client goes away before the answer (disconnect-signal.ts). */
  signal?: AbortSignal | undefined;
}

export interface RpcOutcome {
  status: number;
  body: ResponseEnvelope;
}

export function errorEnvelope(id: string, method: string, cmdId: string, err: unknown): { status: number; body: ErrorEnvelope } {
  const error = toScanbridgeError(err);
  return { status: error.status, body: { id, method, error: error.toWire(), cmdId } };
}

/** May this principal call this method at all? Checked before the body is even parsed. */
export function checkAccess(methodName: string, principal: Principal): void {
  if (!PUBLIC_METHODS.has(methodName)) requireCaller(principal);
  if (ADMIN_METHODS.has(methodName) && principal.kind !== 'admin') {
    throw new ScanbridgeError('token-invalid', `${methodName} is for the local user only (the administrator token from cert/admin.token)`);
  }
}

/** The envelope parsed by RequestEnvelope, which words any error. */
async function parseEnvelope(raw: unknown): Promise<ParsedEnvelope> {
  const { RequestEnvelope, parseOrThrow } = await fullProtocol();
  return parseOrThrow(RequestEnvelope, raw, '', 'invalid-request');
}

/** Params parsed by the method's schema, which words any error. */
async function parseParams(method: MethodName, params: unknown): Promise<unknown> {
  const { METHODS, parseOrThrow } = await fullProtocol();
  return parseOrThrow(METHODS[method].params, params, 'params');
}

export async function dispatch(ctx: ServiceContext, methodName: string, raw: unknown, source: CallSource): Promise<RpcOutcome> {
  const rawObj = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  const echoId = typeof rawObj.id === 'string' ? rawObj.id.slice(0, 128) : NO_SESSION_ID;
  const echoCmd = typeof rawObj.cmdId === 'string' ? rawObj.cmdId.slice(0, 128) : '';
  const method = methodName.slice(0, 64);
  try {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      throw new ScanbridgeError('invalid-request', `the request must be a JSON object {"id", "params", "cmdId"}, got ${Array.isArray(raw) ? 'an array' : raw === null ? 'null' : typeof raw}`);
    }
    const envelope = plainEnvelope(raw) ?? (await parseEnvelope(raw));
    if (envelope.method !== undefined && envelope.method !== methodName) {
      throw new ScanbridgeError('invalid-request', `the body names method "${envelope.method}" but the URL names "${methodName}"`);
    }
    if (!Object.hasOwn(METHOD_TABLE, methodName)) throw new ScanbridgeError('unknown-method', `unknown method "${method}"; GET /fa/ListMethods lists every method`);
    const spec = METHOD_TABLE[methodName as MethodName];
    if (source.get && !spec.safe) throw new ScanbridgeError('method-not-allowed', `${methodName} changes state: call it with POST`);
    if (source.scope === 'fa' && spec.session) throw new ScanbridgeError('invalid-request', `${methodName} works on a session: call it under /f/${methodName}`);
    if (source.scope === 'f' && !spec.session) throw new ScanbridgeError('invalid-request', `${methodName} needs no session: call it under /fa/${methodName}`);
    checkAccess(methodName, source.principal);
    if (ctx.stopping && !spec.safe) throw new ScanbridgeError('service-stopping', 'the service is stopping; retry once it is back');

    let session = null;
    if (spec.session) {
      if (!envelope.id) throw new ScanbridgeError('session-required', `${methodName} needs a session: pass "id" (from CreateSession)`);
      session = ctx.sessions.get(envelope.id);
      // Another origin's session is reported as unknown: its existence is not that page's business.
      if (source.principal.kind === 'page' && session.origin !== source.principal.origin) {
        throw new ScanbridgeError('unknown-session', 'the session was closed or expired; create a new one with CreateSession');
      }
    }
    const exact = spec.exact ? parseExact(spec.params, envelope.params) : undefined;
    const params = exact ? exact.value : await parseParams(methodName as MethodName, envelope.params);
    const handler = HANDLERS[methodName as MethodName] as (call: unknown) => Promise<unknown[]> | unknown[];
    const result = await handler({ ctx, session, params, source });
    const id = session ? session.id : methodName === 'CreateSession' ? String((result[0] as { id: string }).id) : NO_SESSION_ID;
    return { status: 200, body: { id, method: methodName, result, cmdId: envelope.cmdId } };
  } catch (err) {
    const outcome = errorEnvelope(echoId, method, echoCmd, err);
    if (outcome.status >= 500) ctx.log.error({ method, err }, 'request failed');
    return outcome;
  }
}
