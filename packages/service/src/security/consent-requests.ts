/**
 * Pending consent requests: a page asked for access (RequestAccess) and the
 * user has not answered on the consent page yet. The origin shown to the user
 * is the one taken from that request's Origin header, never text the page
 * sent. Bounded: one pending request per origin (asking again gets it
 * back), a few dozen in all, each expiring after five minutes.
 */
import { randomBytes } from 'node:crypto';
import { ScanbridgeError } from '@scanbridge/protocol/core';

export interface ConsentRequest {
  id: string;
  origin: string;
  /** Free text the page gave as its name: shown as a claim, never as the origin. */
  app: string;
  createdAt: number;
  state: 'pending' | 'allowed' | 'denied';
  /** Proof that a decision comes from the consent page the service served. */
  csrf: string;
}

export const CONSENT_TTL_MS = 5 * 60 * 1000;
const TOTAL = 50;

export class ConsentRequests {
  private readonly requests = new Map<string, ConsentRequest>();

  private sweep(now: number): void {
    for (const [id, r] of this.requests) if (now - r.createdAt > CONSENT_TTL_MS) this.requests.delete(id);
  }

  /**
   * The origin's pending request, or a new one. A page reloaded (or open in
   * several tabs) asks again and again for the same thing: it gets the same
   * request and consent page, so reloads never count against the limits.
   */
  create(origin: string, app: string, now = Date.now()): ConsentRequest {
    this.sweep(now);
    const open = [...this.requests.values()].find((r) => r.origin === origin && r.state === 'pending');
    if (open) return open;
    // Only many origins at once fill this: a local program forging Origin headers, not a page.
    if (this.requests.size >= TOTAL) {
      throw new ScanbridgeError('too-many-requests', `too many pending access requests from different websites; answer the open consent pages or wait ${CONSENT_TTL_MS / 60000} minutes`);
    }
    const request: ConsentRequest = { id: randomBytes(16).toString('hex'), origin, app: app.slice(0, 100), createdAt: now, state: 'pending', csrf: randomBytes(16).toString('hex') };
    this.requests.set(request.id, request);
    return request;
  }

  get(id: string, now = Date.now()): ConsentRequest | undefined {
    this.sweep(now);
    return this.requests.get(id);
  }

  /** The user's answer on the consent page. */
  decide(id: string, csrf: string, allow: boolean): ConsentRequest {
    const request = this.get(id);
    if (!request || request.csrf !== csrf || request.state !== 'pending') throw new ScanbridgeError('token-invalid', 'this consent request has expired or was already answered; ask again from the page');
    request.state = allow ? 'allowed' : 'denied';
    return request;
  }

  /** A request answered and collected by its page is done. */
  remove(id: string): void {
    this.requests.delete(id);
  }
}
