/**
 * The SDK's ready-made modal dialogs (install scanbridge, approve this page):
 * plain DOM in a shadow root, so the page's styles neither break them nor are
 * broken by them.
 */
const STYLE = `
dialog{max-width:28rem;border:0;border-radius:.75rem;padding:1.5rem;font:15px/1.5 system-ui,sans-serif;color:#1b1f24;box-shadow:0 10px 40px #0004}
dialog::backdrop{background:#0006}
h2{margin:0 0 .5rem;font-size:1.2rem}
p{margin:.5rem 0}
.origin{font:600 1rem/1.4 ui-monospace,monospace;word-break:break-all}
.actions{display:flex;gap:.5rem;justify-content:flex-end;margin-top:1rem}
button,a.button{font:inherit;padding:.45rem .9rem;border-radius:.4rem;border:1px solid #888;background:#fff;color:inherit;text-decoration:none;cursor:pointer}
.primary{background:#0b57d0 !important;border-color:#0b57d0 !important;color:#fff !important}
code{font:.9em ui-monospace,monospace;background:#eef;padding:0 .2em;border-radius:.2em}
[role=status]{min-height:1.5em;color:#8a1c1c}
[role=status]:empty{min-height:0;margin:0}`;

export interface ModalDialog {
  root: ShadowRoot;
  /** The live region for progress and errors. */
  status: Element;
  close(): void;
}

type Child = Node | string | null | false;

/** An element built with DOM APIs: text is always text, attributes are always attributes. */
export function h(tag: string, attrs: Record<string, string> = {}, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, value);
  for (const child of children) if (child) el.append(child);
  return el;
}

/** A link that opens `href` (checked by the caller: see safe-url.ts) in a new tab. */
export function link(href: string, text: string, className = 'button primary'): HTMLAnchorElement {
  const a = h('a', { class: className, target: '_blank', rel: 'noopener noreferrer' }, text) as HTMLAnchorElement;
  a.href = href;
  return a;
}

/** Show a modal with `content` (built with h()); Escape or `close()` removes it and calls onClose once. */
export function showModal(label: string, content: Child[], onClose: () => void): ModalDialog {
  const host = document.createElement('div');
  host.setAttribute('data-scanbridge-dialog', label);
  const root = host.attachShadow({ mode: 'open' });
  const style = document.createElement('style');
  style.textContent = STYLE;
  const status = h('p', { role: 'status', 'aria-live': 'polite' });
  const dialog = h('dialog', { 'aria-labelledby': 't', 'aria-describedby': 'd' }, ...content, status) as HTMLDialogElement;
  root.append(style, dialog);
  document.body.append(host);
  dialog.showModal();
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    dialog.close();
    host.remove();
  };
  dialog.addEventListener('cancel', (e) => {
    e.preventDefault();
    close();
    onClose();
  });
  return { root, status, close };
}
