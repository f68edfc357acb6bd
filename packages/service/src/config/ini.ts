/**
 * A small, strict INI reader written by hand rather than taken from the `ini`
 * package: every error must name file, line and key so an administrator can
 * jump to it, and a typo must be an error rather than a silently ignored key.
 * `ini` reports neither lines nor unknown keys, accepts any section, lets a
 * later duplicate win and interprets values (true, arrays) on its own.
 *
 * Values stay strings here; the settings table types them, with the line kept
 * so that a bad value is reported where it is written.
 */
import { ConfigError } from './errors.js';
import { closest } from './suggest.js';

export interface IniEntry {
  readonly key: string;
  /** Trimmed, with surrounding double quotes removed. */
  readonly value: string;
  /** 1-based. */
  readonly line: number;
}

export interface IniOptions {
  /** Named in every error. */
  readonly file: string;
  /** Every key the file may hold; anything else is an "unknown key" error. */
  readonly keys: readonly string[];
  /** The one section header allowed (optional in the file). */
  readonly section?: string;
}

const KEY_VALUE = /^([A-Za-z][A-Za-z0-9_]*)\s*=\s*(.*)$/;
const SECTION = /^\[\s*(.*?)\s*\]$/;

export function parseIni(text: string, options: IniOptions): IniEntry[] {
  const { file, keys } = options;
  const section = options.section ?? 'scanbridge';
  const entries: IniEntry[] = [];
  const seen = new Map<string, number>();
  // Notepad saves UTF-8 with a byte order mark, and Windows files end lines with CRLF.
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith(';') || trimmed.startsWith('#')) return;
    const header = SECTION.exec(trimmed);
    if (header) {
      if (header[1] !== section) {
        throw new ConfigError(`unknown section "[${header[1]}]" (only [${section}] is allowed)`, { file, line });
      }
      return;
    }
    const match = KEY_VALUE.exec(trimmed);
    if (!match) throw new ConfigError(`malformed line (expected Key = Value): "${trimmed}"`, { file, line });
    const key = match[1]!;
    if (!keys.includes(key)) throw new ConfigError(unknownKey(key, keys), { file, line, key });
    const first = seen.get(key);
    if (first !== undefined) throw new ConfigError(`duplicate key "${key}" (first set on line ${first})`, { file, line, key });
    seen.set(key, line);
    entries.push({ key, value: unquote(match[2]!, file, line, key), line });
  });
  return entries;
}

function unknownKey(key: string, keys: readonly string[]): string {
  if (keys.length === 0) return `unknown key "${key}" (this file defines no keys)`;
  const suggestion = closest(key, keys);
  return suggestion ? `unknown key "${key}" (did you mean "${suggestion}"?)` : `unknown key "${key}"`;
}

/** No escapes inside quotes: Windows paths are full of backslashes. */
function unquote(value: string, file: string, line: number, key: string): string {
  if (!value.startsWith('"')) return value;
  if (value.length < 2 || !value.endsWith('"')) {
    throw new ConfigError(`unterminated quoted value for ${key}: ${value}`, { file, line, key });
  }
  return value.slice(1, -1);
}
