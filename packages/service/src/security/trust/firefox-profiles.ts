/**
 * Firefox's profiles of a Linux user, found the way Firefox finds them: the
 * profiles.ini (and installs.ini) of every folder Firefox keeps them in, each
 * profile's Path read relative to that folder (IsRelative=1) or as written.
 * Firefox 147+ (ESR 153 too) puts a new user's profiles under
 * $XDG_CONFIG_HOME/mozilla/firefox and an existing user's stay in
 * ~/.mozilla/firefox; the snap and flatpak have both forms in their own
 * folders. A profile folder not named in an ini file is not a profile Firefox
 * opens, so folders are never guessed from their names.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';

export interface FirefoxProfile {
  /** Name= of its [ProfileN] section; the folder name when only installs.ini names it. */
  name: string;
  dir: string;
  /** The profiles folder whose ini file names it. */
  root: string;
}

/** Every folder a Firefox of this user may keep profiles.ini in, XDG first. */
export function firefoxRoots(userHome: string, configHome: string): string[] {
  const flatpak = path.join(userHome, '.var', 'app', 'org.mozilla.firefox');
  const snap = path.join(userHome, 'snap', 'firefox', 'common');
  return [
    path.join(configHome, 'mozilla', 'firefox'),
    path.join(userHome, '.mozilla', 'firefox'),
    path.join(snap, '.mozilla', 'firefox'),
    // Where the snap goes once it stops forcing the legacy folder (it sets XDG_CONFIG_HOME to its common folder).
    path.join(snap, '.config', 'mozilla', 'firefox'),
    path.join(flatpak, '.mozilla', 'firefox'),
    // Flatpak sets XDG_CONFIG_HOME to the app's config/ folder.
    path.join(flatpak, 'config', 'mozilla', 'firefox'),
  ];
}

/** The [sections] of a Mozilla ini file, keys as written (Mozilla's parser is case-sensitive too). */
export function parseMozIni(text: string): Map<string, Map<string, string>> {
  const sections = new Map<string, Map<string, string>>();
  let current: Map<string, string> | null = null;
  for (const raw of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith(';') || line.startsWith('#')) continue;
    const header = /^\[(.*)\]$/.exec(line);
    if (header) {
      const name = header[1]!.trim();
      current = sections.get(name) ?? new Map<string, string>();
      sections.set(name, current);
      continue;
    }
    const eq = line.indexOf('=');
    if (current && eq > 0) current.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  return sections;
}

/** Profiles named by one root's profiles.ini and installs.ini; none when neither file is there. */
export async function profilesOfRoot(root: string): Promise<FirefoxProfile[]> {
  const read = (file: string) => fs.readFile(path.join(root, file), 'utf8').then(parseMozIni, () => new Map<string, Map<string, string>>());
  const profiles: FirefoxProfile[] = [];
  for (const [section, keys] of await read('profiles.ini')) {
    const where = keys.get('Path');
    if (!/^Profile\d+$/.test(section) || !where) continue;
    const dir = keys.get('IsRelative') === '1' ? path.resolve(root, where) : path.resolve(where);
    profiles.push({ name: keys.get('Name') ?? path.basename(dir), dir, root });
  }
  // An install's default profile ([Install<hash>] in profiles.ini, [<hash>] in installs.ini) is
  // normally listed above too; taken here as well so that an install-only entry is not missed.
  // Firefox writes it relative to the root when it lies inside it, absolute otherwise.
  const installs = [...(await read('installs.ini')).values(), ...[...(await read('profiles.ini'))].filter(([s]) => s.startsWith('Install')).map(([, k]) => k)];
  for (const keys of installs) {
    const where = keys.get('Default');
    if (!where) continue;
    const dir = path.resolve(root, where);
    if (!profiles.some((p) => p.dir === dir)) profiles.push({ name: path.basename(dir), dir, root });
  }
  return profiles;
}

/**
 * Every Firefox profile of this user whose folder exists (Firefox makes it on
 * first use), each once even when two roots name it (a symlinked root).
 */
export async function firefoxProfiles(userHome: string, configHome: string): Promise<FirefoxProfile[]> {
  const found: FirefoxProfile[] = [];
  const seen = new Set<string>();
  for (const root of firefoxRoots(userHome, configHome)) {
    for (const profile of await profilesOfRoot(root)) {
      const real = await fs.realpath(profile.dir).catch(() => null);
      if (real === null || seen.has(real) || !(await fs.stat(real).then((s) => s.isDirectory(), () => false))) continue;
      seen.add(real);
      found.push(profile);
    }
  }
  return found;
}

/**
 * Whether a Firefox holds the profile now: its `lock` symlink ("<address>:+<pid>") names a live
 * process. A Firefox that has taken the lock makes the profile's NSS database itself at start;
 * making it at the same moment could leave it a database it cannot open.
 */
export async function firefoxHoldsProfile(dir: string): Promise<boolean> {
  const target = await fs.readlink(path.join(dir, 'lock')).catch(() => null);
  const pid = Number(/:\+?(\d+)$/.exec(target ?? '')?.[1] ?? 0);
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
