/**
 * JSON-lines logs in `log/`, rotated by size (rolling-file.ts). Bodies are never
 * logged (they hold images), and the redaction list removes every header or
 * field that can carry a secret.
 */
import type { Logger } from 'pino';
import { pino } from './log-stack.js';
import { RollingFile } from './rolling-file.js';

export type { Logger };

export const REDACT_PATHS = [
  'token',
  '*.token',
  'headers.authorization',
  'headers.cookie',
  'headers["x-scanbridge-token"]',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-scanbridge-token"]',
];

export interface LoggerOptions {
  logDir: string;
  level: string;
  maxSizeMB: number;
  maxFiles: number;
  /** Also write to stderr (when running in a terminal). */
  console?: boolean;
}

export function createLogger(opts: LoggerOptions): Logger {
  const file = new RollingFile({ dir: opts.logDir, name: 'scanbridge', extension: '.log', maxBytes: opts.maxSizeMB * 1048576, maxFiles: Math.max(1, opts.maxFiles) });
  const stream = opts.console
    ? pino.multistream([
        { level: opts.level as pino.Level, stream: file },
        { level: opts.level as pino.Level, stream: pino.destination({ fd: 2, sync: true }) },
      ])
    : file;
  const logger = pino({ level: opts.level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { pid: process.pid } }, stream);
  files.set(logger, file);
  return logger;
}

const files = new WeakMap<Logger, RollingFile>();

/**
 * Close the log file. Lines are written synchronously, so everything logged
 * is in the file already; a line logged after this (a late callback of a
 * stopped service) is dropped.
 */
export async function closeLogger(logger: Logger): Promise<void> {
  const file = files.get(logger);
  if (!file) return;
  files.delete(logger);
  logger.level = 'silent';
  file.close();
}

/** A logger that drops everything (CLI commands, tests). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
