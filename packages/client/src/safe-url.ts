/**
 * URLs the SDK shows or opens. Whatever answers on the service's port may
 * not be scanbridge: a URL it sends (the consent page) is used only when it
 * is http(s) on this computer's loopback, and every URL is set as a DOM
 * property, never written into markup.
 */

const LOOPBACK_HOST = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

function parse(text: unknown): URL | null {
  if (typeof text !== 'string' || text.length > 2000) return null;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username !== '' || url.password !== '') return null;
  return url;
}

/** `text` as an http(s) URL on a loopback host (a page of the local service), or null. */
export function loopbackUrl(text: unknown): string | null {
  const url = parse(text);
  return url && LOOPBACK_HOST.test(url.hostname) ? url.href : null;
}

/** `text` as an http(s) URL on any host (the integrator's install instructions), or null. */
export function webUrl(text: unknown): string | null {
  return parse(text)?.href ?? null;
}
