/**
 * JSON-lines logs in `log/`, rotated by size (pino-roll). Bodies are never
 * logged (they hold images), and the redaction list removes every header or
 * field that can carry a secret.
 */
import { pino, type Logger } from 'pino';
import path from 'node:path';

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
  const targets: pino.TransportTargetOptions[] = [
    {
      target: 'pino-roll',
      level: opts.level,
      options: {
        file: path.join(opts.logDir, 'scanbridge'),
        extension: '.log',
        size: `${opts.maxSizeMB}m`,
        limit: { count: Math.max(1, opts.maxFiles - 1) },
        mkdir: true,
      },
    },
  ];
  if (opts.console) targets.push({ target: 'pino/file', level: opts.level, options: { destination: 2 } });
  return pino({ level: opts.level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { pid: process.pid } }, pino.transport({ targets }));
}

/** A logger that drops everything (CLI commands, tests). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
