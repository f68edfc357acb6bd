/**
 * Per-origin limits (documented in the README's Security section). They blunt
 * a flood, not a viewer: a page's API calls get a burst of 2000 then 500 a
 * second; the images of its sessions (what its <img> elements ask for, which
 * carry no Origin: counted for the session's origin once the URL's signature
 * checks out) have a bucket of their own, sized so that a 500-page viewer
 * revalidating every thumbnail many times over never meets it (a cached
 * thumbnail costs a fraction of a millisecond, an uncached one is rendered
 * once however many ask). An image request that fails its checks (a guessed
 * signature, another origin's session) counts as a call of its sender, so an
 * origin without a token gets no more than the call limit. The local
 * administrator (the administrator token) is not limited: it can stop the
 * service anyway.
 */
import { ScanbridgeError } from '@scanbridge/protocol/core';

export const CALL_LIMIT = { burst: 2000, perSecond: 500 } as const;
export const IMAGE_LIMIT = { burst: 20_000, perSecond: 10_000 } as const;

export function tooManyRequests(): ScanbridgeError {
  return new ScanbridgeError('too-many-requests', 'too many requests from this origin; slow down and retry in a second');
}

/** Token buckets per key (an origin, the consent page): a burst, then a steady rate. */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
    private readonly maxKeys = 10_000,
  ) {}

  /** Takes one token; false when the key is over its rate. */
  take(key: string, now = Date.now()): boolean {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= this.maxKeys) this.buckets.delete(this.buckets.keys().next().value!);
      bucket = { tokens: this.burst, at: now };
      this.buckets.set(key, bucket);
    }
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond);
    bucket.at = now;
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}
