/**
 * Access: how a page gets its token (RequestAccess, after the user approved
 * its origin on the consent page or an administrator listed it), and how the
 * local user manages approvals (administrator token only).
 */
import { z } from 'zod';
import { NO_PARAMS as none, type MethodSpec } from './spec.js';

export { TOKEN_HEADER } from '../headers.js';

export const AccessGrant = z.discriminatedUnion('state', [
  z.object({ state: z.literal('approved'), origin: z.string(), token: z.string() }),
  z.object({ state: z.literal('pending'), origin: z.string(), request: z.string(), consentUrl: z.string() }),
]);
export type AccessGrant = z.infer<typeof AccessGrant>;

export const OriginApproval = z.object({
  origin: z.string(),
  approvedAt: z.string(),
  by: z.enum(['user', 'command-line', 'administrator']),
  lastUsed: z.string().nullable(),
});

const origin = z.strictObject({ origin: z.string().min(1).max(300) });

export const ACCESS_METHODS = {
  RequestAccess: {
    session: false,
    safe: false,
    params: z.strictObject({
      /** The id of a pending request, when polling for the user's answer. */
      request: z.string().regex(/^[0-9a-f]{32}$/).optional(),
      /** A name for the application, shown on the consent page as the page's claim. */
      app: z.string().max(100).default(''),
      /** The grant the service wrote into a page it served itself (the demo): that page's origin gets a token without consent. */
      grant: z.string().regex(/^[\w-]{43}$/).optional(),
    }),
    result: z.tuple([AccessGrant]),
    summary: "Ask for a token for the page's origin: approved (with the token) or pending (open consentUrl, then poll with the request id).",
  },
  ListOrigins: { session: false, safe: true, params: none, result: z.tuple([z.array(OriginApproval)]), summary: 'Approved origins (administrator token only).' },
  AllowOrigin: { session: false, safe: false, params: origin, result: z.tuple([z.literal(true)]), summary: 'Approve an origin without asking the user (administrator token only).' },
  RevokeOrigin: { session: false, safe: false, params: origin, result: z.tuple([z.boolean()]), summary: 'Revoke an approval and every token issued to it (administrator token only).' },
} as const satisfies Record<string, MethodSpec>;
