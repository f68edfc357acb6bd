/**
 * SANE status codes and what each means for a scan job: a typed error code
 * and a message that says what happened to which device, and when.
 */
import { ScanbridgeError, type ErrorCode } from '@scanbridge/protocol/core';

export const STATUS = {
  GOOD: 0,
  UNSUPPORTED: 1,
  CANCELLED: 2,
  DEVICE_BUSY: 3,
  INVAL: 4,
  EOF: 5,
  JAMMED: 6,
  NO_DOCS: 7,
  COVER_OPEN: 8,
  IO_ERROR: 9,
  NO_MEM: 10,
  ACCESS_DENIED: 11,
} as const;

const NAMES = Object.fromEntries(Object.entries(STATUS).map(([name, code]) => [code, `SANE_STATUS_${name}`])) as Record<number, string>;

export function statusName(status: number): string {
  return NAMES[status] ?? `SANE status ${status}`;
}

export interface StatusContext {
  /** The scanbridge device id, e.g. sane:test:0. */
  device: string;
  /** The libsane call that answered the status, e.g. sane_read. */
  call: string;
  /** 1-based page of the job, when scanning. */
  page?: number;
  /** Pages already delivered by this job. */
  delivered?: number;
}

const WHAT: Record<number, { code: ErrorCode; text: (device: string) => string }> = {
  [STATUS.UNSUPPORTED]: { code: 'invalid-settings', text: (d) => `${d} does not support this operation with these settings` },
  [STATUS.CANCELLED]: { code: 'job-cancelled', text: (d) => `the scan was cancelled by ${d}` },
  [STATUS.DEVICE_BUSY]: { code: 'device-busy', text: (d) => `${d} is busy (another program may be using it)` },
  [STATUS.INVAL]: { code: 'invalid-settings', text: (d) => `${d} refused the settings` },
  [STATUS.EOF]: { code: 'io-error', text: (d) => `${d} ended the data unexpectedly` },
  [STATUS.JAMMED]: { code: 'paper-jam', text: (d) => `paper jam in the document feeder of ${d}` },
  [STATUS.NO_DOCS]: { code: 'feeder-empty', text: (d) => `the document feeder of ${d} is empty` },
  [STATUS.COVER_OPEN]: { code: 'cover-open', text: (d) => `the cover of ${d} is open` },
  [STATUS.IO_ERROR]: { code: 'io-error', text: (d) => `input/output error while talking to ${d}` },
  [STATUS.NO_MEM]: { code: 'io-error', text: (d) => `the driver of ${d} ran out of memory` },
  [STATUS.ACCESS_DENIED]: { code: 'access-denied', text: (d) => `access to ${d} was denied` },
};

/** The typed error for a status other than GOOD. */
export function statusError(status: number, ctx: StatusContext): ScanbridgeError {
  const what = WHAT[status] ?? { code: 'io-error' as const, text: (d: string) => `${d} answered an unknown status` };
  const where = ctx.page === undefined ? ` (${ctx.call})` : ` at page ${ctx.page} (${ctx.call})`;
  const kept = ctx.delivered ? `; ${ctx.delivered === 1 ? '1 page was' : `${ctx.delivered} pages were`} scanned before it` : '';
  return new ScanbridgeError(what.code, `${what.text(ctx.device)}${where}: ${statusName(status)}${kept}`, {
    device: ctx.device,
    saneStatus: statusName(status),
    ...(ctx.page === undefined ? {} : { page: ctx.page }),
  });
}
