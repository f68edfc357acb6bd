/** The service's version, in the forms the seed protocol uses. */
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

/** Build number: bumped by releases; part of VersionInfo and of the image URL's version code. */
export const BUILD = 1;
export const VERSION = pkg.version;

const [major = 0, minor = 0, patch = 0] = VERSION.split(/[.-]/).map((part) => Number.parseInt(part, 10) || 0);

/** "0, 1, 0, 0001": the first element of VersionInfo's result. */
export const VERSION_INFO = `${major}, ${minor}, ${patch}, ${String(BUILD).padStart(4, '0')}`;
/** The <versioncode> of `/dwt/dwt_<versioncode>/img`. */
export const VERSION_CODE = `${major}${minor}${String(patch).padStart(2, '0')}${String(BUILD).padStart(4, '0')}`;
