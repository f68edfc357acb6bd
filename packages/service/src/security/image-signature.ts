/**
 * Image URLs (`/dwt/dwt_<code>/img?...&exp=<unix s>&sig=<hmac>`) are signed
 * because <img> cannot send the token header. The SDK computes the signature
 * itself (no round trip): HMAC-SHA256 keyed with SHA-256(token), over
 * "<session>.<exp>". URLs therefore expire and are useless to another origin.
 */
import { createHmac } from 'node:crypto';
import { sameSecret } from './secrets.js';

/** The longest validity a signature may claim, so a leaked URL does not live long. */
export const MAX_SIGNATURE_SECONDS = 24 * 3600;

export function imageSignature(tokenHashHex: string, session: string, exp: number): string {
  return createHmac('sha256', Buffer.from(tokenHashHex, 'hex')).update(`${session}.${exp}`).digest('base64url');
}

export type SignatureCheck = 'ok' | 'expired' | 'invalid';

export function checkImageSignature(tokenHashes: readonly string[], session: string, exp: number, sig: string, nowSeconds = Date.now() / 1000): SignatureCheck {
  if (!Number.isInteger(exp) || exp > nowSeconds + MAX_SIGNATURE_SECONDS) return 'invalid';
  const valid = tokenHashes.some((hash) => sameSecret(imageSignature(hash, session, exp), sig));
  if (!valid) return 'invalid';
  return exp < nowSeconds ? 'expired' : 'ok';
}
