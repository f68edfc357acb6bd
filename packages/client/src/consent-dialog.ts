/**
 * The ready-made "allow this page" dialog. The decision itself is taken on
 * scanbridge's own consent page (which shows the origin the service saw, not
 * what this page claims); the dialog's button opens it, because browsers only
 * let a click open a new tab.
 */
import { ScanbridgeError } from '@scanbridge/protocol/core';
import { h, link, showModal } from './dialog.js';
import { loopbackUrl } from './safe-url.js';

export interface ConsentPrompt {
  /** The page's origin, as the service saw it. */
  origin: string;
  /** scanbridge's consent page for this request. */
  consentUrl: string;
}

/** What a consent UI gives back: a way to close it, and whether the user gave up. */
export interface ConsentUi {
  readonly cancelled: Promise<void>;
  close(): void;
}

/** Show the dialog; a consent address that is not an http(s) page of this computer is refused (typed as internal-error). */
export function showConsentDialog(prompt: ConsentPrompt): ConsentUi {
  const consentUrl = loopbackUrl(prompt.consentUrl);
  if (consentUrl === null) throw unsafeConsentUrl(prompt.consentUrl);
  let cancel!: () => void;
  const cancelled = new Promise<void>((resolve) => (cancel = resolve));
  const open = link(consentUrl, 'Open scanbridge to allow');
  const notNow = h('button', { type: 'button', value: 'cancel' }, 'Not now');
  const modal = showModal(
    'consent',
    [
      h('h2', { id: 't' }, 'Allow this page to use your scanner?'),
      h('p', { id: 'd' }, h('span', { class: 'origin' }, prompt.origin), ' asks to use the scanners on this computer through scanbridge. scanbridge asks you on its own page; this page continues once you allowed it.'),
      h('div', { class: 'actions' }, notNow, open),
    ],
    cancel,
  );
  open.addEventListener('click', () => (modal.status.textContent = 'Waiting for your answer in scanbridge…'));
  notNow.addEventListener('click', () => {
    modal.close();
    cancel();
  });
  return { cancelled, close: modal.close };
}

/** What answered on the service's port sent a consent address that is not scanbridge's page on this computer. */
export function unsafeConsentUrl(value: unknown): ScanbridgeError {
  return new ScanbridgeError('internal-error', `the service answered a consent page address that is not an http(s) page on this computer (${JSON.stringify(String(value).slice(0, 100))}); is another program using scanbridge's port?`);
}
