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
        // pino-roll rolls over on the stream's 'drain', which an asynchronous
        // stream under steady load may not emit until it is closed; writing
        // synchronously (on the transport's own thread) drains after every write.
        sync: true,
      },
    },
  ];
  if (opts.console) targets.push({ target: 'pino/file', level: opts.level, options: { destination: 2 } });
  const transport = pino.transport({ targets });
  const logger = pino({ level: opts.level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { pid: process.pid } }, transport);
  transports.set(logger, transport);
  return logger;
}

const transports = new WeakMap<Logger, ReturnType<typeof pino.transport>>();

/**
 * Flush and end the log transport (a worker thread writing the files), and
 * wait until it has closed: a service that stops must not leave a thread that
 * still writes into a folder that may be deleted next.
 */
export async function closeLogger(logger: Logger): Promise<void> {
  const transport = transports.get(logger);
  if (!transport) return;
  transports.delete(logger);
  // A line logged after this (a late callback of a stopped service) is dropped, not an uncaught "the worker has exited".
  logger.level = 'silent';
  await new Promise<void>((resolve) => {
    // A ref'd timer keeps the event loop alive while the thread closes, and bounds the wait.
    const guard = setTimeout(resolve, 5000);
    transport.once('close', () => {
      clearTimeout(guard);
      resolve();
    });
    transport.end();
  });
}

/** A logger that drops everything (CLI commands, tests). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
