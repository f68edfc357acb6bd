/**
 * Scanners listed by URL (the administrator's `EsclScanners`, the user's
 * `scanbridge devices add`): what a listed entry may be, and the one message
 * that names the entry and what is wrong with it.
 */
import { fail, ok, type Parsed, type ValueType } from '../../config/value-types.js';

/** The path eSCL clients use when a URL names only the host. */
export const DEFAULT_ESCL_PATH = '/eSCL';

/**
 * An eSCL root URL as the driver wants it: http or https, a host, no
 * credentials, query or fragment, no trailing slash; `/eSCL` when no path is
 * given. Problems read `"ftp://x" is not ... (expected ...)`.
 */
export function parseScannerUrl(text: string): Parsed<string> {
  const expected = 'expected an http:// or https:// URL of the scanner, like http://192.168.1.20/eSCL';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return fail(`"${text.slice(0, 200)}" is not an absolute URL (${expected})`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return fail(`"${text}" uses ${url.protocol.slice(0, -1)}, not http or https (${expected})`);
  if (!url.hostname) return fail(`"${text}" has no host (${expected})`);
  if (url.username || url.password) return fail(`"${text}" carries credentials; eSCL scanners take none in the URL (${expected})`);
  if (url.search || url.hash) return fail(`"${text}" has a query or fragment (${expected})`);
  const root = url.pathname.replace(/\/+$/, '') || DEFAULT_ESCL_PATH;
  return ok(`${url.protocol}//${url.host}${root}`);
}

/**
 * A list of scanner URLs written on one line, separated by commas or spaces
 * (a URL holds neither); duplicates kept once.
 */
export function scannerUrls(): ValueType<readonly string[]> {
  const expected = 'eSCL scanner URLs (http:// or https://, e.g. http://192.168.1.20/eSCL) separated by commas or spaces, or empty for none';
  return {
    expected,
    parse(raw) {
      const urls: string[] = [];
      for (const entry of raw.split(/[\s,]+/).filter(Boolean)) {
        const parsed = parseScannerUrl(entry);
        if (!parsed.ok) return fail(parsed.problem);
        if (!urls.includes(parsed.value)) urls.push(parsed.value);
      }
      return ok(urls);
    },
  };
}
