/**
 * Getting the page's token (the consent flow): RequestAccess answers at once
 * for an origin the user or an administrator approved; otherwise it answers
 * "pending" with scanbridge's consent page, which the user opens (a ready-made
 * dialog offers it), and the SDK asks again until the user decided.
 */
import { ScanbridgeError } from '@scanbridge/protocol/core';
import type { AccessGrant } from '@scanbridge/protocol';
import { showConsentDialog, unsafeConsentUrl, type ConsentPrompt, type ConsentUi } from './consent-dialog.js';
import { loopbackUrl } from './safe-url.js';
import { post, type Endpoint } from './transport.js';

export interface AccessOptions {
  /** A name for the application, shown on the consent page (as the page's own claim). */
  app?: string;
  /** How often to ask whether the user decided, in ms (default 1000). */
  consentPollMs?: number;
  /**
   * The grant scanbridge wrote into a page it served itself (the demo reads
   * it from its <meta name="scanbridge-service">): that page gets its token
   * without asking the user. Other pages leave it out.
   */
  grant?: string;
  /** Show your own consent UI instead of the SDK's dialog. */
  onConsent?: (prompt: ConsentPrompt) => ConsentUi;
}

async function ask(endpoint: Endpoint, params: { app: string; request?: string; grant?: string }): Promise<AccessGrant> {
  try {
    const grant = ((await post(endpoint, 'RequestAccess', null, params, 'access')) as [AccessGrant])[0];
    // Whatever answers on the port may not be scanbridge: its consent address is used only if it is a local page.
    if (grant.state === 'pending' && loopbackUrl(grant.consentUrl) === null) throw unsafeConsentUrl(grant.consentUrl);
    return grant;
  } catch (err) {
    // A service from before the consent flow has no RequestAccess.
    if (err instanceof ScanbridgeError && err.code === 'unknown-method') {
      throw new ScanbridgeError('version-mismatch', `scanbridge at ${endpoint.base} is too old for this SDK (it has no RequestAccess): update scanbridge`, { base: endpoint.base });
    }
    throw err;
  }
}

/** The page's token; rejects with origin-not-allowed when the user says no or closes the prompt. */
export async function requestAccess(endpoint: Endpoint, options: AccessOptions): Promise<string> {
  const app = options.app ?? '';
  let grant = await ask(endpoint, { app, ...(options.grant === undefined ? {} : { grant: options.grant }) });
  if (grant.state === 'approved') return grant.token;
  const prompt = { origin: grant.origin, consentUrl: grant.consentUrl };
  const ui = options.onConsent?.(prompt) ?? (typeof document === 'undefined' ? null : showConsentDialog(prompt));
  if (!ui) {
    throw new ScanbridgeError('origin-not-allowed', `${grant.origin} is not approved: open ${grant.consentUrl} to allow it`, { origin: grant.origin, consentUrl: grant.consentUrl });
  }
  let gaveUp = false;
  void ui.cancelled.then(() => (gaveUp = true));
  try {
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, options.consentPollMs ?? 1000));
      endpoint.signal?.throwIfAborted();
      if (gaveUp) throw new ScanbridgeError('origin-not-allowed', `the user did not allow ${grant.origin} to use the scanner (the prompt was closed)`, { origin: grant.origin });
      // A refusal or an expired request comes back as origin-not-allowed.
      grant = await ask(endpoint, { app, request: grant.request });
      if (grant.state === 'approved') return grant.token;
    }
  } finally {
    ui.close();
  }
}
