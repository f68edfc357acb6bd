/** The ready-made "install scanbridge" dialog: what is missing, where to get it, and "Try again". */
import { ScanbridgeError } from '@scanbridge/protocol';
import { escapeHtml, showModal } from './dialog.js';

/**
 * Show the dialog for a `service-not-found` error. "Try again" runs `retry`;
 * the promise resolves with its result once it succeeds, and rejects with the
 * original error when the user closes the dialog.
 */
export function showInstallDialog<T>(error: ScanbridgeError, retry: () => Promise<T>): Promise<T> {
  const installUrl = typeof error.details?.installUrl === 'string' ? error.details.installUrl : '';
  return new Promise<T>((resolve, reject) => {
    const modal = showModal(
      'install',
      `<h2 id="t">Scanning needs scanbridge</h2>
<p id="d">This page uses the scanners on your computer through scanbridge, a small free program that is not running here.
Install it (or start it), then choose <b>Try again</b>.</p>
<div class="actions">
  <button type="button" value="close">Close</button>
  <button type="button" value="retry">Try again</button>
  ${installUrl ? `<a class="button primary" target="_blank" rel="noopener" href="${escapeHtml(installUrl)}">How to install</a>` : ''}
</div>`,
      () => reject(error),
    );
    modal.root.querySelector('button[value=close]')!.addEventListener('click', () => {
      modal.close();
      reject(error);
    });
    const again = modal.root.querySelector<HTMLButtonElement>('button[value=retry]')!;
    again.addEventListener('click', () => {
      again.disabled = true;
      modal.status.textContent = 'Looking for scanbridge…';
      retry().then(
        (value) => {
          modal.close();
          resolve(value);
        },
        (err: unknown) => {
          again.disabled = false;
          modal.status.textContent = err instanceof ScanbridgeError && err.code === 'service-not-found' ? 'scanbridge still does not answer.' : String((err as Error).message ?? err);
        },
      );
    });
  });
}
