/**
 * The local administrator token: callers without an Origin (the CLI, scripts,
 * curl) present it. It lives in `cert/admin.token`, readable only by the user
 * who runs the service, which is what makes it a proof of being that user.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { newToken } from './secrets.js';

export const ADMIN_TOKEN_FILE = 'admin.token';

export async function loadOrCreateAdminToken(certDir: string): Promise<string> {
  const file = path.join(certDir, ADMIN_TOKEN_FILE);
  try {
    const token = (await fs.readFile(file, 'utf8')).trim();
    if (token.length >= 32) {
      await fs.chmod(file, 0o600);
      return token;
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const token = newToken();
  await fs.mkdir(certDir, { recursive: true, mode: 0o700 });
  await fs.writeFile(`${file}.tmp`, `${token}\n`, { mode: 0o600 });
  await fs.rename(`${file}.tmp`, file);
  return token;
}

/** For the CLI: the token of a service folder, or null when the folder has none yet. */
export async function readAdminToken(certDir: string): Promise<string | null> {
  try {
    return (await fs.readFile(path.join(certDir, ADMIN_TOKEN_FILE), 'utf8')).trim() || null;
  } catch {
    return null;
  }
}
