/**
 * The kinds of value a setting can hold. Each turns the text written in the
 * ini, the environment or a flag into a typed value, or into a phrase saying
 * what is wrong with it; the caller adds where the text came from.
 */
import { isIP } from 'node:net';
import path from 'node:path';
import { originProblem } from './origins.js';

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: string };

export interface ValueType<T> {
  /** What is accepted, as shown in the default ini and the README. */
  readonly expected: string;
  /** Problems read like `"abc" is not a port (expected an integer 0..65535)`. */
  parse(raw: string): Parsed<T>;
}

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
export const fail = <T>(problem: string): Parsed<T> => ({ ok: false, problem });

/**
 * A list written on one line: entries between separators, blanks around them
 * and empty entries ignored, each entry checked (and normalized) by `entry`,
 * duplicates kept once.
 */
export function list(separator: ';' | ',', expected: string, entry: (text: string) => Parsed<string>): ValueType<readonly string[]> {
  return {
    expected,
    parse(raw) {
      const values: string[] = [];
      for (const text of raw.split(separator).map((e) => e.trim())) {
        if (text === '') continue;
        const parsed = entry(text);
        if (!parsed.ok) return fail(parsed.problem);
        if (!values.includes(parsed.value)) values.push(parsed.value);
      }
      return ok(values);
    },
  };
}

/** An integer min..max, multiplied by `scale` so that settings hold bytes and milliseconds. */
function integer(noun: string, min: number, max: number, scale = 1): ValueType<number> {
  const expected = `an integer ${min}..${max}`;
  return {
    expected,
    parse(raw) {
      if (!/^[+-]?\d+$/.test(raw)) return fail(`"${raw}" is not ${noun} (expected ${expected})`);
      const n = Number(raw);
      if (!(n >= min && n <= max)) return fail(`"${raw}" is out of range (expected ${expected})`);
      return ok(n * scale);
    },
  };
}

/** A TCP port; 0 asks the system for any free port. */
export const port = (): ValueType<number> => integer('a port', 0, 65535);

export const int = (min: number, max: number): ValueType<number> => integer('an integer', min, max);

/** Written in MB (1 MB = 1024 × 1024 bytes), held in bytes. */
export const megabytes = (min: number, max: number): ValueType<number> =>
  integer('a size in megabytes', min, max, 1024 * 1024);

/** Written in seconds, held in milliseconds (what timers take). */
export const seconds = (min: number, max: number): ValueType<number> =>
  integer('a duration in seconds', min, max, 1000);

const TRUE = ['true', 'yes', 'on', '1'];
const FALSE = ['false', 'no', 'off', '0'];

export const boolean = (): ValueType<boolean> => {
  const expected = 'true, false, yes, no, on, off, 1 or 0';
  return {
    expected,
    parse(raw) {
      const word = raw.toLowerCase();
      if (TRUE.includes(word)) return ok(true);
      if (FALSE.includes(word)) return ok(false);
      return fail(`"${raw}" is not a boolean (expected ${expected})`);
    },
  };
};

export const logLevel = (): ValueType<LogLevel> => {
  const expected = `${LOG_LEVELS.slice(0, -1).join(', ')} or ${LOG_LEVELS.at(-1)}`;
  return {
    expected,
    parse(raw) {
      const level = LOG_LEVELS.find((l) => l === raw.toLowerCase());
      return level ? ok(level) : fail(`"${raw}" is not a log level (expected ${expected})`);
    },
  };
};

/** Host names other than localhost are refused: a name resolving elsewhere would expose the service. */
export const bindAddress = (): ValueType<string> => {
  const expected = 'an IPv4 or IPv6 address, or localhost';
  return {
    expected,
    parse(raw) {
      if (raw === 'localhost' || isIP(raw) !== 0) return ok(raw);
      const hint = /^\[.*\]$/.test(raw) ? `; write it without brackets: "${raw.slice(1, -1)}"` : '';
      return fail(`"${raw}" is not an IP address (expected ${expected}${hint})`);
    },
  };
};

/** Relative paths are refused: relative to what (the ini's folder, the working directory) would be a guess. */
export const folderOrEmpty = (whenEmpty: string): ValueType<string> => {
  const expected = `an absolute folder path, or empty for ${whenEmpty}`;
  return {
    expected,
    parse(raw) {
      return raw === '' || path.isAbsolute(raw) ? ok(raw) : fail(`"${raw}" is not an absolute path (expected ${expected})`);
    },
  };
};

/** A relative path with folders would depend on the working directory; a bare name is looked up by the system loader. */
export const libraryOrEmpty = (whenEmpty: string): ValueType<string> => {
  const expected = `a library file name or an absolute path, or empty for ${whenEmpty}`;
  return {
    expected,
    parse(raw) {
      return raw === '' || path.isAbsolute(raw) || !/[\\/]/.test(raw) ? ok(raw) : fail(`"${raw}" is neither a file name nor an absolute path (expected ${expected})`);
    },
  };
};

/** A program found on the PATH by its bare name, or an absolute path (a relative one would depend on the working directory). */
export const programOrEmpty = (whenEmpty: string): ValueType<string> => {
  const expected = `a program name or an absolute path, or empty for ${whenEmpty}`;
  return {
    expected,
    parse(raw) {
      return raw === '' || path.isAbsolute(raw) || !/[\\/]/.test(raw) ? ok(raw) : fail(`"${raw}" is neither a program name nor an absolute path (expected ${expected})`);
    },
  };
};

/**
 * Semicolon-separated absolute folders (a semicolon is rare in folder names,
 * unlike a comma, and is the Windows path-list separator); blanks around
 * entries and empty entries are ignored.
 */
export const folders = (): ValueType<readonly string[]> => {
  const expected = 'absolute folder paths separated by semicolons, or empty for none';
  return list(';', expected, (entry) => {
    if (!path.isAbsolute(entry)) return fail(`"${entry}" is not an absolute path (expected ${expected})`);
    const normal = path.normalize(entry);
    return ok(normal.length > path.parse(normal).root.length ? normal.replace(/[\\/]+$/, '') : normal);
  });
};

/** Comma-separated; blanks around commas and empty entries (a trailing comma) are ignored. */
export const origins = (): ValueType<readonly string[]> =>
  list(',', 'comma-separated origins like https://app.example.com (http or https, no path, no trailing slash)', (entry) => {
    const problem = originProblem(entry);
    return problem ? fail(problem) : ok(entry);
  });

/** Semicolon-separated device ids as ListDevices names them (`demo:scanner`, `sane:test:0`): ids hold colons and may hold commas. */
export const deviceIds = (): ValueType<readonly string[]> =>
  list(';', 'device ids from `scanbridge devices` (e.g. demo:scanner;sane:test:0) separated by semicolons, or empty for none', (entry) =>
    /^[a-z][a-z0-9-]*:\S/.test(entry) ? ok(entry) : fail(`"${entry}" is not a device id (expected <driver>:<name>, as \`scanbridge devices\` lists them, e.g. demo:scanner)`),
  );

/** Comma-separated networks in CIDR form (`192.168.1.0/24`, `fd00::/8`); a bare address is one host. */
export const networks = (): ValueType<readonly string[]> => {
  const expected = 'networks in CIDR form like 192.168.1.0/24 or fd00::/8 separated by commas (a bare address is one host), or empty for loopback only';
  return list(',', expected, (entry) => {
    const [address = '', bits, extra] = entry.split('/');
    const family = isIP(address);
    const max = family === 4 ? 32 : 128;
    if (family === 0 || extra !== undefined) return fail(`"${entry}" is not a network (expected ${expected})`);
    if (bits === undefined) return ok(`${address}/${max}`);
    if (!/^\d+$/.test(bits) || Number(bits) > max) return fail(`"${entry}" has a prefix length outside 0..${max} (expected ${expected})`);
    return ok(`${address}/${Number(bits)}`);
  });
};
