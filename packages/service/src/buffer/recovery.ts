/**
 * Rebuilds one session's buffer from its folder after a restart or a crash:
 * replay the journal, keep only pages whose file is present and authentic,
 * delete files nothing points to, and start a fresh journal from a snapshot.
 */
import { join } from 'node:path';
import { ScanbridgeError } from '@scanbridge/protocol/core';
import { BufferState } from './buffer-state.js';
import { JOURNAL_FILE, Journal, SESSION_FILE, type SessionMeta, parseJournal, readSessionMeta } from './journal.js';
import { PAGE_FILE, PageFiles, pageFileName } from './page-files.js';
import { type BufferIO, type BufferLog, errnoCode, short } from './storage.js';

export type RecoveredSession =
  | { kind: 'session'; meta: SessionMeta; state: BufferState; journal: Journal }
  /** The folder holds no session description and no pages: a crash during create. */
  | { kind: 'empty' }
  /** The folder holds pages but no valid session description: left alone for a human. */
  | { kind: 'unusable'; reason: string };

export async function recoverSession(opts: { dir: string; id: string; key: Buffer; io: BufferIO; log: BufferLog }): Promise<RecoveredSession> {
  const { dir, id, key, io, log } = opts;
  const names = await io.readdir(dir);
  const meta = await readSessionMeta(io, dir);
  if (!meta || meta.id !== id) {
    const holdsData = names.some((n) => PAGE_FILE.test(n) || n === JOURNAL_FILE);
    return holdsData ? { kind: 'unusable', reason: meta ? 'session.json names another session' : 'session.json is missing or invalid' } : { kind: 'empty' };
  }

  const state = new BufferState();
  let text = '';
  try {
    text = await io.readFile(join(dir, JOURNAL_FILE), 'utf8');
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT') throw err;
  }
  const { ops, bad } = parseJournal(text);
  for (const b of bad) {
    log('warn', b.torn ? 'ignored the torn last line of a journal (crash during a write)' : 'skipped an invalid journal line', { session: short(id), line: b.line });
  }
  for (const op of ops) state.apply(op);

  const files = new PageFiles(dir, id, key, io, log);
  const lost: string[] = [];
  for (const page of state.records()) {
    try {
      const bytes = await files.read(page.id, page.version);
      if (bytes.length !== page.meta.byteSize) throw new Error(`size ${bytes.length} differs from the journal's ${page.meta.byteSize}`);
    } catch (err) {
      lost.push(page.id);
      log('warn', 'dropped a page whose file is missing or altered', { session: short(id), page: page.id, version: page.version, error: err instanceof Error ? err.message : String(err) });
    }
  }
  if (lost.length > 0) state.apply({ op: 'remove', ids: lost });

  const keep = new Set([SESSION_FILE, JOURNAL_FILE, ...state.records().map((p) => pageFileName(p.id, p.version))]);
  for (const name of names) {
    if (keep.has(name) || !(PAGE_FILE.test(name) || name.endsWith('.tmp'))) continue;
    await io.unlink(join(dir, name)).catch((err: unknown) => log('warn', 'could not delete an orphan cache file', { file: join(dir, name), error: String(err) }));
  }

  // A fresh snapshot drops torn lines and replayed history; if the disk refuses,
  // the journal is marked dirty so that the first change retries the rewrite
  // (and fails cleanly, with the buffer unchanged, if it still cannot).
  const journal = new Journal(dir, io);
  try {
    await journal.compact(state);
  } catch (err) {
    log('warn', 'could not rewrite a recovered journal', { session: short(id), error: err instanceof ScanbridgeError ? err.message : String(err) });
    return { kind: 'session', meta, state, journal: new Journal(dir, io, { size: 0, ops: 0, dirty: true }) };
  }
  return { kind: 'session', meta, state, journal };
}
