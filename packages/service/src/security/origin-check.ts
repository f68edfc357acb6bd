/**
 * What counts as a page's origin: the browser's Origin header, compared
 * exactly. `null` (sandboxed frames, file: pages), user-info tricks, paths,
 * look-alike forms ("HTTPS://App", default ports, trailing dots) are refused
 * because browsers never send them for a real http(s) origin.
 */
import { ScanbridgeError } from '@scanbridge/protocol/core';
import { originProblem } from '../config/origins.js';

/** The caller of a request that has no Origin header (CLI, scripts): it must hold the local admin token. */
export const LOCAL_ORIGIN = 'local';

export function checkOrigin(header: string | string[] | undefined): string | null {
  if (header === undefined) return null;
  if (Array.isArray(header)) throw new ScanbridgeError('origin-not-allowed', 'the request has more than one Origin header');
  if (header === 'null') throw new ScanbridgeError('origin-not-allowed', 'Origin "null" (a sandboxed or file: page) cannot be approved; serve the page from an http(s) origin');
  const problem = originProblem(header);
  if (problem) throw new ScanbridgeError('origin-not-allowed', `Origin ${problem.slice(0, 200)}`);
  // A trailing dot names the same host but a different origin: never approved, so refuse it plainly.
  if (/\.(:\d+)?$/.test(header)) throw new ScanbridgeError('origin-not-allowed', `Origin "${header.slice(0, 100)}" ends with a dot`);
  return header;
}
