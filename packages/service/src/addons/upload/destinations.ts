/**
 * Where a page may send documents: its own origin (the page uploads to its own
 * server), or under a prefix the administrator listed in UploadDestinations.
 * HTTPS is required unless the host is loopback, so documents never cross a
 * network in clear text.
 */
import { isIP } from 'node:net';
import { ScanbridgeError } from '@scanbridge/protocol/core';
import { fail, list, ok, type ValueType } from '../../config/value-types.js';

function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

const refuse = (message: string) => new ScanbridgeError('destination-not-allowed', message);

function parse(raw: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw refuse(`${what}: "${raw.slice(0, 200)}" is not an absolute URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw refuse(`${what}: expected an http or https URL, got ${url.protocol}`);
  if (url.username || url.password) throw refuse(`${what}: credentials in the URL are not accepted; send them in headers`);
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) throw refuse(`${what}: ${url.origin} needs HTTPS (plain HTTP only to a loopback host)`);
  return url;
}

/** A listed prefix covers a URL of the same origin whose path starts with the prefix's path. */
function under(url: URL, prefix: URL): boolean {
  return url.origin === prefix.origin && url.pathname.startsWith(prefix.pathname);
}

/** The destination URL when `caller` (a page origin, or 'local' for the CLI) may send there. */
export function checkDestination(raw: string, caller: string, prefixes: readonly string[], what = 'params.destination.url'): URL {
  const url = parse(raw, what);
  if (url.origin === caller) return url;
  if (prefixes.some((p) => under(url, new URL(p)))) return url;
  throw refuse(`${what}: ${url.origin}${url.pathname} is neither the page's own origin (${caller}) nor under an UploadDestinations prefix (${prefixes.length ? prefixes.join(', ') : 'none listed'})`);
}

/** The UploadDestinations setting: semicolon-separated URL prefixes. */
export const destinationPrefixes = (): ValueType<readonly string[]> => {
  const expected = 'URL prefixes like https://files.example.com/scans/ separated by semicolons (https, or http to a loopback host), or empty for none';
  return list(';', expected, (entry) => {
    try {
      const url = parse(entry, 'UploadDestinations');
      return url.search || url.hash ? fail(`"${entry}" has a query or fragment (expected ${expected})`) : ok(url.href);
    } catch {
      return fail(`"${entry}" is not an allowed URL prefix (expected ${expected})`);
    }
  });
};
