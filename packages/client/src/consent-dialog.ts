/**
 * The ready-made "allow this page" dialog. The decision itself is taken on
 * scanbridge's own consent page (which shows the origin the service saw, not
 * what this page claims); the dialog's button opens it, because browsers only
 * let a click open a new tab.
 */
import { escapeHtml, showModal } from './dialog.js';

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

export function showConsentDialog(prompt: ConsentPrompt): ConsentUi {
  let cancel!: () => void;
  const cancelled = new Promise<void>((resolve) => (cancel = resolve));
  const modal = showModal(
    'consent',
    `<h2 id="t">Allow this page to use your scanner?</h2>
<p id="d"><span class="origin">${escapeHtml(prompt.origin)}</span> asks to use the scanners on this computer through scanbridge.
scanbridge asks you on its own page; this page continues once you allowed it.</p>
<div class="actions">
  <button type="button" value="cancel">Not now</button>
  <a class="button primary" target="_blank" rel="noopener" href="${escapeHtml(prompt.consentUrl)}">Open scanbridge to allow</a>
</div>`,
    cancel,
  );
  modal.root.querySelector('a')!.addEventListener('click', () => (modal.status.textContent = 'Waiting for your answer in scanbridge…'));
  modal.root.querySelector('button[value=cancel]')!.addEventListener('click', () => {
    modal.close();
    cancel();
  });
  return { cancelled, close: modal.close };
}
