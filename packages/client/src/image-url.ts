/**
 * The one place image URLs are built, in the seed's form
 * `/dwt/dwt_<versioncode>/img?id=<session>&index=<i>&width=<w>&height=<h>&ticks=<n>`
 * (`page=<id>` instead of `index` names a page by its stable id), plus
 * `exp` and `sig`, the signature that stands in for the token an <img>
 * cannot send.
 */
export interface ImageUrlParts {
  /** e.g. http://127.0.0.1:18622 */
  base: string;
  /** The service's version code (from VersionInfo), e.g. 01000001. */
  versionCode: string;
  session: string;
  /** A page index (number) or a stable page id (string). */
  page: number | string;
  /** Box the image is fitted into, in device pixels; it is never enlarged. */
  width: number;
  height: number;
  /**
   * Cache buster: pass the page's version so an edited page gets a new URL
   * while an unchanged one keeps its cached copy.
   */
  ticks?: number | string;
  /** The image signature (see image-signature.ts): expiry in unix seconds and HMAC. */
  exp?: number;
  sig?: string;
}

export function imageUrl(parts: ImageUrlParts): string {
  const query = new URLSearchParams({ id: parts.session });
  if (typeof parts.page === 'number') query.set('index', String(parts.page));
  else query.set('page', parts.page);
  query.set('width', String(Math.max(1, Math.round(parts.width))));
  query.set('height', String(Math.max(1, Math.round(parts.height))));
  query.set('ticks', String(parts.ticks ?? 0));
  if (parts.exp !== undefined && parts.sig !== undefined) {
    query.set('exp', String(parts.exp));
    query.set('sig', parts.sig);
  }
  return `${parts.base}/dwt/dwt_${parts.versionCode}/img?${query.toString()}`;
}

/** VersionInfo's "0, 1, 0, 0001" -> "01000001", as the service computes it: major, minor, patch (2 digits), build (4 digits). */
export function versionCode(versionInfo: string): string {
  const [major = '0', minor = '0', patch = '0', build = '0'] = versionInfo.split(',').map((part) => part.trim());
  return `${major}${minor}${patch.padStart(2, '0')}${build.padStart(4, '0')}`;
}
