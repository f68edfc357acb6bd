/**
 * `dump/`: Node's own diagnostic reports (written by the service process on a
 * fatal error or uncaught exception) and the monitor's crash notes for deaths
 * Node cannot report itself (SIGKILL, OOM killer). Bounded by count and size.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';

export const DUMP_RETENTION = { files: 20, bytes: 50 * 1024 * 1024 };

/** Node options that make the service write its own report into `dump/`. */
export function reportFlags(dumpDir: string): string[] {
  return ['--report-on-fatalerror', '--report-uncaught-exception', `--report-directory=${dumpDir}`, '--report-compact'];
}

export interface CrashNote {
  pid: number | undefined;
  code: number | null;
  signal: NodeJS.Signals | null;
  uptimeSeconds: number;
  restarts: number;
  /** Last lines the service printed on stderr. */
  stderr: string;
}

export async function writeCrashNote(dumpDir: string, note: CrashNote): Promise<string> {
  await fs.mkdir(dumpDir, { recursive: true, mode: 0o700 });
  const file = path.join(dumpDir, `crash.${new Date().toISOString().replace(/[:.]/g, '-')}.${note.pid ?? 0}.json`);
  await fs.writeFile(file, JSON.stringify({ ...note, at: new Date().toISOString() }, null, 2), { mode: 0o600 });
  return file;
}

/** Keep the newest reports within DUMP_RETENTION. */
export async function pruneDumps(dumpDir: string, limits = DUMP_RETENTION): Promise<number> {
  let names: string[];
  try {
    names = await fs.readdir(dumpDir);
  } catch {
    return 0;
  }
  const files = (
    await Promise.all(
      names.map(async (name) => {
        const stat = await fs.stat(path.join(dumpDir, name)).catch(() => null);
        return stat?.isFile() ? { name, mtime: stat.mtimeMs, size: stat.size } : null;
      }),
    )
  )
    .filter((f): f is { name: string; mtime: number; size: number } => f !== null)
    .sort((a, b) => b.mtime - a.mtime);
  let kept = 0;
  let bytes = 0;
  let removed = 0;
  for (const file of files) {
    if (kept < limits.files && bytes + file.size <= limits.bytes) {
      kept++;
      bytes += file.size;
    } else {
      await fs.rm(path.join(dumpDir, file.name), { force: true });
      removed++;
    }
  }
  return removed;
}
