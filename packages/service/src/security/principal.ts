/**
 * Who is calling. Every request is authenticated once, in the gate, from its
 * Origin header and its token: a page of an approved origin holding a token
 * issued to that origin, the local user holding the administrator token (no
 * Origin: the CLI, scripts), or anonymous (may only reach public endpoints).
 */
import { ScanbridgeError } from '@scanbridge/protocol/core';
import type { Approvals } from './approvals.js';
import { checkOrigin, LOCAL_ORIGIN } from './origin-check.js';
import { sameSecret } from './secrets.js';

export type Principal =
  | { kind: 'page'; origin: string }
  | { kind: 'admin'; origin: typeof LOCAL_ORIGIN }
  | { kind: 'anonymous'; origin: string | null };

export interface AuthContext {
  approvals: Approvals;
  adminToken: string;
}

export function authenticate(auth: AuthContext, originHeader: string | string[] | undefined, token: string | undefined): Principal {
  const origin = checkOrigin(originHeader);
  if (token === undefined || token === '') return { kind: 'anonymous', origin };
  if (token.length > 200) throw new ScanbridgeError('token-invalid', 'the token is not one this service issued');
  if (origin === null) {
    if (sameSecret(token, auth.adminToken)) return { kind: 'admin', origin: LOCAL_ORIGIN };
    throw new ScanbridgeError('token-invalid', 'requests without an Origin need the administrator token from cert/admin.token in the service folder');
  }
  const owner = auth.approvals.verify(token);
  if (owner !== origin) {
    throw new ScanbridgeError('token-invalid', `the token was not issued to ${origin} (or was revoked); call RequestAccess again`);
  }
  return { kind: 'page', origin };
}

/** The principal may use the API beyond the public endpoints. */
export function requireCaller(principal: Principal): asserts principal is Exclude<Principal, { kind: 'anonymous' }> {
  if (principal.kind !== 'anonymous') return;
  if (principal.origin === null) throw new ScanbridgeError('token-invalid', 'send the administrator token (cert/admin.token in the service folder) in the X-Scanbridge-Token header');
  throw new ScanbridgeError('token-invalid', `${principal.origin} has no token: call RequestAccess (the SDK's connect() does) and send the token in the X-Scanbridge-Token header`);
}
