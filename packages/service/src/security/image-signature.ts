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

/**
 * Signatures found valid, by URL, with the token hash that made each: a
 * viewer asks with the same URLs again and again (each revalidation), and an
 * HMAC per request cost more than the rest of a cached thumbnail's answer.
 * An entry counts only while its token hash is still one of the origin's (a
 * revoked origin's URLs fail at once) and before the URL expires; only
 * valid signatures are kept, the oldest dropped past the bound.
 */
const verified = new Map<string, string>();
const VERIFIED_MAX = 4096;

export function checkImageSignature(tokenHashes: readonly string[], session: string, exp: number, sig: string, nowSeconds = Date.now() / 1000): SignatureCheck {
  if (!Number.isInteger(exp) || exp > nowSeconds + MAX_SIGNATURE_SECONDS) return 'invalid';
  const key = `${session}.${exp}.${sig}`;
  const known = verified.get(key);
  if (known !== undefined && exp >= nowSeconds && tokenHashes.includes(known)) return 'ok';
  const signer = tokenHashes.find((hash) => sameSecret(imageSignature(hash, session, exp), sig));
  if (signer === undefined) return 'invalid';
  if (exp < nowSeconds) return 'expired';
  if (verified.size >= VERIFIED_MAX) verified.delete(verified.keys().next().value!);
  verified.set(key, signer);
  return 'ok';
}
