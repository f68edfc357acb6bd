/**
 * AllowedOrigins entries are compared byte for byte with the Origin header
 * browsers send, so an entry that is not written exactly as a browser writes
 * it (trailing slash, default port, upper case) would never match. Rejecting
 * it at start, with the corrected form, beats a silent "never allowed".
 */

/** Why `entry` is not an exact http(s) origin, or undefined when it is one. */
export function originProblem(entry: string): string | undefined {
  const notOrigin = `"${entry}" is not an origin (expected scheme://host[:port] with scheme http or https)`;
  const match = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/(.*)$/.exec(entry);
  if (!match) return notOrigin;
  const scheme = match[1]!;
  if (scheme.toLowerCase() !== 'http' && scheme.toLowerCase() !== 'https') {
    return `"${entry}" has scheme "${scheme}" (expected http or https)`;
  }
  let url: URL;
  try {
    url = new URL(entry);
  } catch {
    return notOrigin;
  }
  const rest = match[2]!;
  const tail = rest.search(/[/?#]/);
  if (tail !== -1) {
    return rest.slice(tail) === '/'
      ? `"${entry}" ends with a slash (write "${url.origin}")`
      : `"${entry}" has a path (write "${url.origin}")`;
  }
  if (url.username || url.password) return `"${entry}" contains a user name (write "${url.origin}")`;
  if (url.origin !== entry) return `"${entry}" is not written the way browsers send it (write "${url.origin}")`;
  return undefined;
}
