/**
 * The append-only journal that lets a buffer survive a crash, and the session
 * description beside it. One folder per session:
 *
 *   <cacheDir>/<sessionId>/session.json     {id, origin, createdAt}
 *   <cacheDir>/<sessionId>/journal.jsonl    one JournalOp per line
 *   <cacheDir>/<sessionId>/<pageId>.<version>.sbc
 *
 * An op is appended only after the page file it names is written, so every
 * journal entry points to a complete file. A file load is one 'addAll' op
 * naming all its pages (one line, so a crash keeps all of them or none: a
 * torn line is ignored); journals of earlier versions hold only 'add' ops and
 * replay unchanged. Like page files, the journal is not
 * fsynced (see PageFiles.write).
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { z } from '../util/zod-stack.js';
import type { BufferState, JournalOp as JournalOpType } from './buffer-state.js';
import { JournalOp } from './buffer-state.js';
import { type BufferIO, storageError } from './storage.js';

export const SESSION_FILE = 'session.json';
export const JOURNAL_FILE = 'journal.jsonl';

/** Past this many ops since the last snapshot, the journal is rewritten as one snapshot. */
export const COMPACT_AFTER_OPS = 1000;

export const SessionMeta = z.object({ id: z.string(), origin: z.string(), createdAt: z.iso.datetime() });
export type SessionMeta = z.infer<typeof SessionMeta>;

export class Journal {
  readonly path: string;
  #size: number;
  #ops: number;
  // Set when a failed append may have left a partial line we could not cut off:
  // the next change must rewrite the journal before appending to it.
  #dirty: boolean;

  constructor(
    readonly dir: string,
    private readonly io: BufferIO,
    state: { size: number; ops: number; dirty?: boolean } = { size: 0, ops: 0 },
  ) {
    this.path = join(dir, JOURNAL_FILE);
    this.#size = state.size;
    this.#ops = state.ops;
    this.#dirty = state.dirty ?? false;
  }

  get dirty(): boolean {
    return this.#dirty;
  }

  /** Ops appended since the last snapshot. */
  get ops(): number {
    return this.#ops;
  }

  get needsCompaction(): boolean {
    return this.#ops > COMPACT_AFTER_OPS;
  }

  async append(op: JournalOpType): Promise<void> {
    const line = `${JSON.stringify(op)}\n`;
    try {
      await this.io.appendFile(this.path, line, { mode: 0o600 });
    } catch (err) {
      // A failed append (ENOSPC) can leave part of the line behind; cut it off
      // so that the next append starts on a fresh line.
      try {
        await this.io.truncate(this.path, this.#size);
      } catch {
        this.#dirty = true;
      }
      throw storageError(err, this.dir, 'write the journal');
    }
    this.#size += Buffer.byteLength(line);
    this.#ops++;
  }

  /** Rewrites the journal as one snapshot, atomically (temp file, then rename). */
  async compact(state: BufferState): Promise<void> {
    const line = `${JSON.stringify(state.snapshot())}\n`;
    const temp = join(this.dir, `${JOURNAL_FILE}.${randomBytes(4).toString('hex')}.tmp`);
    try {
      await this.io.writeFile(temp, line, { mode: 0o600 });
      await this.io.rename(temp, this.path);
    } catch (err) {
      await this.io.unlink(temp).catch(() => undefined);
      throw storageError(err, this.dir, 'rewrite the journal');
    }
    this.#size = Buffer.byteLength(line);
    this.#ops = 0;
    this.#dirty = false;
  }
}

export interface ParsedJournal {
  ops: JournalOpType[];
  /** Lines that were not valid ops, with a 1-based line number; `torn` marks an unterminated last line. */
  bad: { line: number; torn: boolean }[];
}

/**
 * Every complete line is one op. A crash in the middle of an append leaves an
 * unterminated last line: if it still parses the op was fully written and is
 * kept, otherwise it is ignored (its add never resolved, so no caller was told
 * the page exists).
 */
export function parseJournal(text: string): ParsedJournal {
  const lines = text.split('\n');
  const ops: JournalOpType[] = [];
  const bad: ParsedJournal['bad'] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const torn = i === lines.length - 1;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      bad.push({ line: i + 1, torn });
      return;
    }
    const parsed = JournalOp.safeParse(json);
    if (parsed.success) ops.push(parsed.data);
    else bad.push({ line: i + 1, torn });
  });
  return { ops, bad };
}

export async function writeSessionMeta(io: BufferIO, dir: string, meta: SessionMeta): Promise<void> {
  const file = join(dir, SESSION_FILE);
  const temp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await io.writeFile(temp, `${JSON.stringify(meta)}\n`, { mode: 0o600 });
    await io.rename(temp, file);
  } catch (err) {
    await io.unlink(temp).catch(() => undefined);
    throw storageError(err, dir, 'write the session file');
  }
}

/** undefined when the file is missing or not a valid session description. */
export async function readSessionMeta(io: BufferIO, dir: string): Promise<SessionMeta | undefined> {
  let text: string;
  try {
    text = await io.readFile(join(dir, SESSION_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const parsed = SessionMeta.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
