import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export interface ResolveHomeOptions {
  /** The `--home DIR` flag; wins over everything. */
  flag?: string | undefined;
  env?: NodeJS.ProcessEnv | undefined;
  /** Defaults to process.platform; tests pass another one to check every platform's rule. */
  platform?: NodeJS.Platform | undefined;
  /** Defaults to os.homedir(). */
  homedir?: string | undefined;
}

/**
 * The service folder: `--home`, then SCANBRIDGE_HOME, else the per-user data
 * folder of the platform. Empty values count as unset, so an exported but
 * empty variable does not make the service use the working directory.
 */
export function resolveHome(options: ResolveHomeOptions = {}): string {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  // The platform's own path rules, so a Windows home is computed correctly even when tested on Linux.
  const p = platform === 'win32' ? path.win32 : path.posix;
  if (options.flag) return p.resolve(options.flag);
  if (env['SCANBRIDGE_HOME']) return p.resolve(env['SCANBRIDGE_HOME']);
  const home = options.homedir ?? os.homedir();
  if (platform === 'win32') {
    const local = env['LOCALAPPDATA'];
    return local && p.isAbsolute(local) ? p.join(local, 'scanbridge') : p.join(home, 'AppData', 'Local', 'scanbridge');
  }
  if (platform === 'darwin') return p.join(home, 'Library', 'Application Support', 'scanbridge');
  // The XDG base directory spec says a relative XDG_DATA_HOME is invalid and must be ignored.
  const xdg = env['XDG_DATA_HOME'];
  return xdg && p.isAbsolute(xdg) ? p.join(xdg, 'scanbridge') : p.join(home, '.local', 'share', 'scanbridge');
}

export interface ServicePaths {
  /** The service folder itself. */
  readonly home: string;
  /** Cold pages of the image buffer; `<home>/cache` unless CacheDir says otherwise. */
  readonly cache: string;
  /** TLS key and certificates. */
  readonly cert: string;
  /** Diagnostic dumps. */
  readonly dump: string;
  readonly log: string;
  /** Files received from clients before they are processed. */
  readonly upload: string;
  /** Administrator settings (scanbridge.ini). */
  readonly serviceIni: string;
  /** Per-user choices written by the service (user.ini). */
  readonly userIni: string;
  /** Ports actually bound, for the CLI and the SDK to find a running service. */
  readonly portLock: string;
  /** OCR language data an administrator adds (`<lang>.traineddata`), beside the bundled languages. */
  readonly ocr: string;
}

/** `cacheDirSetting` is the CacheDir setting; empty or undefined means `<home>/cache`. */
export function servicePaths(home: string, cacheDirSetting?: string): ServicePaths {
  return {
    home,
    cache: cacheDirSetting ? path.resolve(home, cacheDirSetting) : path.join(home, 'cache'),
    cert: path.join(home, 'cert'),
    dump: path.join(home, 'dump'),
    log: path.join(home, 'log'),
    upload: path.join(home, 'upload'),
    serviceIni: path.join(home, 'scanbridge.ini'),
    userIni: path.join(home, 'user.ini'),
    portLock: path.join(home, 'port.lock'),
    ocr: path.join(home, 'ocr'),
  };
}

/**
 * Creates the service folders private to the user (0o700): they hold scanned
 * documents and the TLS key. Folders that already exist keep their mode, since
 * an administrator may have pointed `--home` at a folder set up on purpose.
 */
export async function ensureServiceFolder(paths: ServicePaths): Promise<void> {
  for (const dir of [paths.home, paths.cache, paths.cert, paths.dump, paths.log, paths.upload]) {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  }
}
