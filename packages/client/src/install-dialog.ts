/**
 * The ready-made "install scanbridge" dialog: what is missing and where to get
 * it. It keeps looking for the service while it is open, so the page carries
 * on by itself within seconds of scanbridge starting (after an install, or a
 * stopped service started again): the user has nothing to click.
 */
import { ScanbridgeError } from '@scanbridge/protocol';
import { h, link, showModal } from './dialog.js';
import { webUrl } from './safe-url.js';

export interface InstallDialogOptions {
  /** How often to look for scanbridge while the dialog is open, in ms (default 2000). */
  pollMs?: number;
  /** The "How to install" link; else the error's details.installUrl. Only an http(s) URL is shown. */
  installUrl?: string;
}

/**
 * Show the dialog for a `service-not-found` error and run `retry` every
 * `pollMs` until it succeeds: the promise then resolves with its result and
 * the dialog closes. It rejects with the original error when the user closes
 * the dialog, and with any error of `retry` other than `service-not-found`
 * (the service answered, but something else is wrong).
 */
export function showInstallDialog<T>(error: ScanbridgeError, retry: () => Promise<T>, options: InstallDialogOptions = {}): Promise<T> {
  const href = webUrl(options.installUrl ?? String(error.details?.installUrl ?? ''));
  const pollMs = options.pollMs ?? 2000;
  return new Promise<T>((resolve, reject) => {
    let open = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const end = (settle: () => void) => {
      if (!open) return;
      open = false;
      clearTimeout(timer);
      modal.close();
      settle();
    };
    const close = h('button', { type: 'button', value: 'close' }, 'Close');
    const modal = showModal(
      'install',
      [
        h('h2', { id: 't' }, 'Scanning needs scanbridge'),
        h('p', { id: 'd' }, 'This page uses the scanners on your computer through scanbridge, a small free program that is not running here. Install it (or start it): this page connects by itself as soon as it runs.'),
        h('div', { class: 'actions' }, close, href !== null && link(href, 'How to install')),
      ],
      () => end(() => reject(error)),
    );
    modal.status.textContent = 'Waiting for scanbridge to start…';
    close.addEventListener('click', () => end(() => reject(error)));
    const look = () => {
      timer = undefined;
      retry().then(
        (value) => {
          // Closed by the user while this look was under way: do not keep a connection nobody wants.
          if (!open) (value as { disconnect?: () => void } | null)?.disconnect?.();
          end(() => resolve(value));
        },
        (err: unknown) => {
          if (!open) return;
          if (err instanceof ScanbridgeError && err.code === 'service-not-found') timer = setTimeout(look, pollMs);
          else end(() => reject(err));
        },
      );
    };
    timer = setTimeout(look, pollMs);
  });
}
