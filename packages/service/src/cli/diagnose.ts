/**
 * What `scanbridge status` says when the service is not running: each problem
 * a broken install can have (missing folder, unreadable or wrong config,
 * occupied ports, a stale lock) with the exact fix. Reads only; changes nothing.
 */
import { promises as fs } from 'node:fs';
import net from 'node:net';
import { resolveSettings } from '../config/load.js';
import { servicePaths } from '../config/paths.js';
import type { Settings } from '../config/settings.js';
import { readLock, alive } from '../util/port-lock.js';

const PORTS = [
  ['httpPort', 'HttpPort'],
  ['httpsPort', 'HttpsPort'],
  ['welcomeHttpPort', 'WelcomeHttpPort'],
  ['welcomeHttpsPort', 'WelcomeHttpsPort'],
] as const;

/** `inUseOnly`: only EADDRINUSE counts (an address the machine lacks, no IPv6, is not another program). */
function portFree(port: number, host: string, inUseOnly = false): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', (err: NodeJS.ErrnoException) => resolve(inUseOnly && err.code !== 'EADDRINUSE'));
    server.listen({ port, host, ipv6Only: host === '::1' }, () => server.close(() => resolve(true)));
  });
}

/** The loopback address a listener on `bindAddress` also holds (see server/loopback-listen.ts), if any. */
function otherLoopback(bindAddress: string): string | null {
  if (bindAddress === '127.0.0.1' || bindAddress === 'localhost' || bindAddress === '0.0.0.0') return '::1';
  if (bindAddress === '::1') return '127.0.0.1';
  return null;
}

export async function diagnose(home: string): Promise<string[]> {
  const paths = servicePaths(home);
  const problems: string[] = [];
  try {
    await fs.access(home);
  } catch {
    return [`the service folder ${home} does not exist yet: it is created by the first \`scanbridge run\` or \`scanbridge install\``];
  }
  let text = '';
  try {
    text = await fs.readFile(paths.serviceIni, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') problems.push(`cannot read ${paths.serviceIni} (${code}): give the user read access to it (chmod u+r)`);
  }
  let settings: Settings | null = null;
  try {
    settings = resolveSettings({ ini: { file: paths.serviceIni, text }, env: process.env }).settings;
  } catch (err) {
    problems.push(`${(err as Error).message}: fix it, then start again`);
  }
  const lock = await readLock(paths.portLock);
  if (lock && typeof lock.pid === 'number' && !alive(lock.pid)) {
    problems.push(`port.lock was left by a run that crashed (pid ${lock.pid}): nothing to do, the next start takes it over`);
  }
  if (settings) {
    for (const [prop, key] of PORTS) {
      const port = settings[prop];
      if (port !== 0 && !(await portFree(port, settings.bindAddress))) {
        problems.push(`port ${port} (${key}) is in use by another program: change ${key} in ${paths.serviceIni}, or stop that program`);
      }
      const other = otherLoopback(settings.bindAddress);
      if (port !== 0 && other && !(await portFree(port, other, true))) {
        const shown = other.includes(':') ? `[${other}]` : other;
        problems.push(`${shown}:${port} (${key}) is held by another program: scanbridge starts without it, but does not trust its pages reached through ${shown} or localhost; stop that program (or change ${key} in ${paths.serviceIni})`);
      }
    }
  }
  return problems;
}
