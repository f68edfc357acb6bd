/** Events the service pushes to a session's WebSocket. */
import { z } from 'zod';
import { JobInfo } from './models.js';
import { BarcodeResult } from './barcode-models.js';
import { UploadInfo } from './methods/upload.js';

export const BufferEvent = z.discriminatedUnion('action', [
  z.object({ action: z.literal('add'), ids: z.array(z.string()), index: z.number().int(), count: z.number().int() }),
  z.object({ action: z.literal('remove'), ids: z.array(z.string()), count: z.number().int() }),
  z.object({ action: z.literal('modify'), ids: z.array(z.string()), count: z.number().int() }),
  z.object({ action: z.literal('move'), ids: z.array(z.string()), order: z.array(z.string()), count: z.number().int() }),
  /** Documents created, grown or gone (GetDocuments lists them); `ids` are document ids. */
  z.object({ action: z.literal('documents'), ids: z.array(z.string()), count: z.number().int() }),
]);
export type BufferEvent = z.infer<typeof BufferEvent>;

/**
 * Steps of a scan or load job. `page` carries the new page's id and its buffer
 * index (0-based, like every buffer position), and the codes read on it when the
 * scan settings ask for `barcodes`.
 */
export const JobEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('started'), job: JobInfo }),
  /** `documentFound`: with the scan setting `document`, whether a page was found and flattened. */
  z.object({ type: z.literal('page'), job: JobInfo, pageId: z.string(), index: z.number().int(), barcodes: z.array(BarcodeResult).optional(), documentFound: z.boolean().optional() }),
  /**
   * A scan: `page` is the number of the page being acquired in this job,
   * counted from 1 as a scanner counts (each side of a duplex sheet is a
   * page), and `fraction` how much of it has arrived. A load: `page` pages of `total` are decoded (they become
   * visible together when the job ends) and `fraction` is page / total.
   */
  z.object({ type: z.literal('progress'), job: JobInfo, page: z.number().int(), fraction: z.number(), bytes: z.number().int(), lines: z.number().int(), total: z.number().int().optional() }),
  z.object({ type: z.literal('done'), job: JobInfo }),
  z.object({ type: z.literal('failed'), job: JobInfo }),
]);
export type JobEvent = z.infer<typeof JobEvent>;

/** Steps of an upload job: progress carries bytesSent and bytesTotal in `upload`. */
export const UploadEvent = z.object({ type: z.enum(['started', 'progress', 'done', 'failed']), upload: UploadInfo });
export type UploadEvent = z.infer<typeof UploadEvent>;

/**
 * Recognize and DetectOrientation report each page as it is done (`done` of `total` pages of the call);
 * SaveImages and StartUpload with `ocr` each page recognised for the searchable PDF (StartUpload with its `upload` id).
 */
export const OcrEvent = z.object({
  type: z.literal('progress'),
  method: z.enum(['Recognize', 'DetectOrientation', 'SaveImages', 'StartUpload']),
  upload: z.string().optional(),
  page: z.string(),
  index: z.number().int(),
  done: z.number().int(),
  total: z.number().int(),
});
export type OcrEvent = z.infer<typeof OcrEvent>;

export const EVENTS = {
  buffer: BufferEvent,
  job: JobEvent,
  upload: UploadEvent,
  ocr: OcrEvent,
  devices: z.object({ devices: z.array(z.string()) }),
} as const;
export type EventName = keyof typeof EVENTS;
export type EventData<E extends EventName> = z.infer<(typeof EVENTS)[E]>;

/** Wire form of a pushed event. */
export interface EventEnvelope<E extends EventName = EventName> {
  event: E;
  /** The session the event belongs to. */
  id: string;
  data: EventData<E>;
}
