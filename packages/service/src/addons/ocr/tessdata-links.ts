/**
 * tesseract.js reads all the languages of a call from one folder, while ours
 * come from several (node_modules packages, `<home>/ocr/`). A folder of
 * links (copies where links are not allowed) named `<lang>.traineddata`,
 * one per set of source files, in the system's temporary folder: nothing is
 * written into the working folder or the service's cache.
 */
import { copyFileSync, mkdirSync, renameSync, statSync, symlinkSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';

const made = new Set<string>();

/** A folder holding `<lang>.traineddata` for each entry (gzipped or not: tesseract.js checks the magic bytes). */
export function linkFolder(files: Record<string, string>): string {
  const entries = Object.entries(files).sort(([a], [b]) => a.localeCompare(b));
  const key = createHash('sha256')
    .update(JSON.stringify(entries.map(([lang, file]) => [lang, file, statSync(file).mtimeMs])))
    .digest('hex')
    .slice(0, 16);
  let uid = 'user';
  try {
    uid = String(userInfo().uid);
  } catch {
    // no user database entry: one folder for all
  }
  const dir = path.join(tmpdir(), `scanbridge-ocr-${uid}`, key);
  if (made.has(dir)) return dir;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const [lang, file] of entries) {
    const link = path.join(dir, `${lang}.traineddata`);
    try {
      statSync(link);
      continue;
    } catch {
      // not there yet
    }
    const temp = `${link}.${process.pid}.${Math.random().toString(36).slice(2)}`;
    try {
      symlinkSync(file, temp);
    } catch {
      copyFileSync(file, temp);
    }
    renameSync(temp, link);
  }
  made.add(dir);
  return dir;
}
