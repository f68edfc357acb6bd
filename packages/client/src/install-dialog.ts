/** The ready-made "install scanbridge" dialog: what is missing, where to get it, and "Try again". */
import { ScanbridgeError } from '@scanbridge/protocol';
import { h, link, showModal } from './dialog.js';
import { webUrl } from './safe-url.js';

/**
 * Show the dialog for a `service-not-found` error. "Try again" runs `retry`;
 * the promise resolves with its result once it succeeds, and rejects with the
 * original error when the user closes the dialog. The install link is
 * `installUrl` (connect() passes its own option), else the error's, and only
 * an http(s) one.
 */
export function showInstallDialog<T>(error: ScanbridgeError, retry: () => Promise<T>, installUrl: string = String(error.details?.installUrl ?? '')): Promise<T> {
  const href = webUrl(installUrl);
  return new Promise<T>((resolve, reject) => {
    const close = h('button', { type: 'button', value: 'close' }, 'Close');
    const again = h('button', { type: 'button', value: 'retry' }, 'Try again') as HTMLButtonElement;
    const modal = showModal(
      'install',
      [
        h('h2', { id: 't' }, 'Scanning needs scanbridge'),
        h('p', { id: 'd' }, 'This page uses the scanners on your computer through scanbridge, a small free program that is not running here. Install it (or start it), then choose ', h('b', {}, 'Try again'), '.'),
        h('div', { class: 'actions' }, close, again, href !== null && link(href, 'How to install')),
      ],
      () => reject(error),
    );
    close.addEventListener('click', () => {
      modal.close();
      reject(error);
    });
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
