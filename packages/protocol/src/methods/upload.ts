/**
 * Uploads: pages of a session, encoded as SaveImages encodes them, sent by the
 * service to the application's server as a background job (multipart POST, a
 * raw PUT, or a resumable tus upload). A destination must be on the calling
 * page's own origin or under an UploadDestinations prefix of scanbridge.ini
 * (`destination-not-allowed`); HTTPS unless the host is loopback.
 */
import { z } from 'zod';
import { PageRef } from '../models.js';
import { SaveOcr } from '../ocr-models.js';
import type { MethodSpec } from './spec.js';
import { Compression, OutputFormat, PdfMetadata, ZipPageFormat } from './documents.js';

const url = z.string().min(1).max(4000);
/** Header values a page may set (Authorization, X-...); Cookie and framing headers are refused by the service. */
const headers = z.record(z.string().min(1).max(200), z.string().max(8000)).optional();

export const UploadDestination = z.discriminatedUnion('method', [
  z.strictObject({
    method: z.literal('post'),
    url,
    headers,
    fieldName: z.string().min(1).max(200).default('file').describe('form field of the file part(s)'),
    fields: z.record(z.string().min(1).max(200), z.string().max(100000)).optional().describe('extra form fields, sent before the file'),
  }),
  z.strictObject({ method: z.literal('put'), url, headers }),
  z.strictObject({
    method: z.literal('tus'),
    url: url.describe('the tus creation endpoint'),
    headers,
    chunkSize: z.number().int().min(65536).max(1073741824).default(8388608).describe('bytes per PATCH'),
    metadata: z.record(z.string().regex(/^[A-Za-z0-9._-]{1,100}$/), z.string().max(10000)).optional().describe('Upload-Metadata besides filename and filetype'),
  }),
]);
export type UploadDestination = z.infer<typeof UploadDestination>;

export const UploadState = z.enum(['running', 'done', 'failed', 'cancelled']);

export const UploadResponse = z.object({
  status: z.number().int(),
  headers: z.record(z.string(), z.string()),
  /** The body as text, cut at 64 KiB (`truncated`). */
  body: z.string(),
  truncated: z.boolean(),
});
export type UploadResponse = z.infer<typeof UploadResponse>;

export const UploadInfo = z.object({
  id: z.string(),
  state: UploadState,
  method: z.enum(['post', 'put', 'tus']),
  pages: z.number().int(),
  /** Bytes the server acknowledged (tus) or that were written to the connection (this attempt). */
  bytesSent: z.number().int(),
  /**
   * Size of the encoded file(s) once known: put and tus know it before sending;
   * a post streams pages as they are encoded, so its size is known at the end (0 until then).
   */
  bytesTotal: z.number().int(),
  /** Pages encoded so far (this attempt, for post): with `pages`, the progress while bytesTotal is 0. */
  pagesDone: z.number().int(),
  attempts: z.number().int(),
  /** The server's last answer (also on failure, when there was one). */
  response: UploadResponse.nullable(),
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }).nullable(),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
});
export type UploadInfo = z.infer<typeof UploadInfo>;

const uploadId = z.strictObject({ upload: z.string().min(1).max(64) });

export const UPLOAD_METHODS = {
  StartUpload: {
    session: true,
    safe: false,
    params: z.strictObject({
      destination: UploadDestination,
      format: OutputFormat,
      pages: z.array(PageRef).min(1).max(100000).optional().describe('default: every page, in buffer order'),
      document: z.string().min(1).max(64).optional().describe("a document's pages (an id from GetDocuments), instead of pages"),
      eachDocument: z.boolean().optional().describe('one file per document, named after the code that named it (made safe, unique), in document order'),
      fileName: z.string().min(1).max(255).optional().describe('file name sent to the server (made safe; the extension follows the format)'),
      retries: z.number().int().min(0).max(20).default(5).describe('tries after a network failure or a 5xx answer, with capped exponential back-off'),
      quality: z.number().int().min(1).max(100).optional(),
      progressive: z.boolean().optional(),
      compression: Compression.optional().describe('as SaveImages: auto (default), jpeg, g4, lossless; tiff also none, lzw, deflate'),
      pageFormat: ZipPageFormat.optional().describe('zip (required there): the format of each page file in the ZIP'),
      metadata: PdfMetadata.optional(),
      pdfa: z.boolean().optional(),
      ocr: SaveOcr.optional().describe('pdf: searchable: each page\'s text recognised in these languages (pages already recognised are not read again) and laid invisibly under its image'),
      password: z.string().min(1).max(127).optional(),
    }),
    result: z.tuple([UploadInfo]),
    summary: 'Encode pages (as SaveImages) and upload them in the background: multipart POST, PUT, or resumable tus.',
  },
  GetUpload: { session: true, safe: true, params: uploadId, result: z.tuple([UploadInfo]), summary: 'The state of an upload job.' },
  WaitUpload: {
    session: true,
    safe: true,
    params: uploadId.extend({ timeout: z.number().min(0).max(300).default(30).describe('seconds') }),
    result: z.tuple([UploadInfo]),
    summary: 'Wait until an upload job ends (or the timeout passes) and answer its state.',
  },
  CancelUpload: { session: true, safe: false, params: uploadId, result: z.tuple([UploadInfo]), summary: 'Cancel an upload job; its temporary file is removed.' },
} as const satisfies Record<string, MethodSpec>;
