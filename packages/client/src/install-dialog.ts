/**
 * The ready-made "install scanbridge" dialog: what is missing and where to get
 * it. It keeps looking for the service while it is open, so the page carries
 * on by itself within seconds of scanbridge starting (after an install, or a
 * stopped service started again): the user has nothing to click.
 */
import { ScanbridgeError } from '@scanbridge/protocol/core';
import { h, link, showModal } from './dialog.js';
import { webUrl } from './safe-url.js';

export interface InstallDialogOptions {
  /** How often to look for scanbridge while the dialog is open, in ms (default 2000). */
  pollMs?: number;
  /** The "How to install" link; else the error's details.installUrl. Only an http(s) URL is shown. */
  installUrl?: string;
  /** Closes the dialog; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** Problems of the user's computer that the dialog explains and waits out. */
const SETUP_CODES: ReadonlySet<string> = new Set(['service-not-found', 'certificate-not-trusted', 'local-network-access-denied']);

export function isSetupProblem(error: ScanbridgeError): boolean {
  return SETUP_CODES.has(error.code);
}

type Words = { title: string; body: (Node | string)[]; status: string };

/** The dialog's words for each problem: a title and what the user does about it (built as DOM, never markup). */
function explain(error: ScanbridgeError): Words {
  if (error.code === 'local-network-access-denied') {
    return {
      title: 'Allow this page to reach scanbridge',
      body: [
        'Your browser asks before a website may talk to programs on this computer, and this page has not been allowed to reach scanbridge. Choose ',
        h('b', {}, 'Connect'),
        ' and allow ',
        h('b', {}, 'local network access'),
        ' (apps and services on this device) when the browser asks. If you blocked it before, allow it in this site’s settings (the icon left of the address).',
      ],
      status: '',
    };
  }
  if (error.code === 'certificate-not-trusted') {
    return {
      title: 'Your browser does not trust scanbridge yet',
      body: [
        'scanbridge runs on this computer, but this browser does not trust its security certificate, which this secure (https://) page needs. Run ',
        h('code', {}, 'scanbridge cert install'),
        ' (or install scanbridge again), then restart the browser.',
      ],
      status: 'Waiting for the certificate to be trusted…',
    };
  }
  return {
    title: 'Scanning needs scanbridge',
    body: ['This page uses the scanners on your computer through scanbridge, a small free program that is not running here. Install it (or start it): this page connects by itself as soon as it runs.'],
    status: 'Waiting for scanbridge to start…',
  };
}

/**
 * Show the dialog for a problem of the user's computer (`service-not-found`,
 * `certificate-not-trusted`, `local-network-access-denied`), saying what to
 * do about it, and run `retry` every `pollMs` until it succeeds: the promise
 * then resolves with its result and the dialog closes. It rejects with the
 * last error when the user closes the dialog, and with any error of `retry`
 * that is not such a problem of the computer (the service answered, but
 * something else is wrong).
 */
export function showInstallDialog<T>(error: ScanbridgeError, retry: () => Promise<T>, options: InstallDialogOptions = {}): Promise<T> {
  const href = webUrl(options.installUrl ?? String(error.details?.installUrl ?? ''));
  const pollMs = options.pollMs ?? 2000;
  return new Promise<T>((resolve, reject) => {
    let open = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let last = error;
    const end = (settle: () => void) => {
      if (!open) return;
      open = false;
      clearTimeout(timer);
      modal.close();
      settle();
    };
    const title = h('h2', { id: 't' });
    const body = h('p', { id: 'd' });
    const close = h('button', { type: 'button', value: 'close' }, 'Close');
    // Where the browser asks for a permission only during a user gesture, this click is one.
    const connectButton = h('button', { type: 'button', value: 'connect', class: 'primary', hidden: '' }, 'Connect') as HTMLButtonElement;
    const installLink = href !== null ? link(href, 'How to install') : null;
    const modal = showModal('install', [title, body, h('div', { class: 'actions' }, close, connectButton, installLink)], () => end(() => reject(last)));
    const show = (problem: ScanbridgeError) => {
      const words = explain(problem);
      title.replaceChildren(words.title);
      body.replaceChildren(...words.body);
      modal.status.textContent = words.status;
      const permission = problem.code === 'local-network-access-denied';
      connectButton.hidden = !permission;
      if (installLink) installLink.hidden = permission;
    };
    show(error);
    close.addEventListener('click', () => end(() => reject(last)));
    let looking = false;
    const look = () => {
      clearTimeout(timer);
      timer = undefined;
      if (looking || !open) return;
      looking = true;
      retry()
        .finally(() => (looking = false))
        .then(
          (value) => {
            // Closed by the user while this look was under way: do not keep a connection nobody wants.
            if (!open) (value as { disconnect?: () => void } | null)?.disconnect?.();
            end(() => resolve(value));
          },
          (err: unknown) => {
            if (!open) return;
            if (err instanceof ScanbridgeError && isSetupProblem(err)) {
              // Installed meanwhile, but the certificate is not trusted yet (or the other way round): say what now.
              if (err.code !== last.code) show(err);
              last = err;
              timer = setTimeout(look, pollMs);
            } else end(() => reject(err));
          },
        );
    };
    connectButton.addEventListener('click', look);
    options.signal?.addEventListener('abort', () => end(() => reject(options.signal!.reason)), { once: true });
    if (options.signal?.aborted) end(() => reject(options.signal!.reason));
    timer = setTimeout(look, pollMs);
  });
}
