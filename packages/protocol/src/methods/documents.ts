/**
 * Files in and out of a session's buffer: loading JPEG, PNG, BMP, TIFF, WebP
 * and PDF files a page sends, and saving pages as PDF, TIFF, JPEG, PNG or BMP,
 * or as one ZIP holding a file per page (`format: 'zip'` with `pageFormat`).
 *
 * Loading takes bytes only (base64 in `data`, or over HTTP the request body
 * itself: `POST /f/LoadImages?id=<session>&params=<JSON>` with the file as
 * body and any non-JSON content type), never a path. A file that is damaged,
 * hostile or not supported is refused with `invalid-image` (the message names
 * the format and the reason) and the buffer is left as it was. A load is all or
 * nothing: its pages become visible together (one buffer `add` event), or,
 * when a page fails, not at all.
 *
 * LoadImages answers the pages when the load ends: right for a photo or a few
 * pages. StartLoad takes the same parameters and answers a job at once (kind
 * `load`): `job` progress events count the pages decoded (`page` of `total`),
 * GetJob/WaitJob/CancelJob follow it, and its `done` names the pages in
 * `pageIds`. Use it for PDFs and multi-page TIFFs, whose rendering can take
 * minutes: a client never waits on one HTTP request, and a retried StartLoad
 * cannot add the document twice unnoticed (the first job is still there).
 *
 * Saving answers the file(s) base64 in the result, or with `binary: true`
 * (HTTP only) the file itself as the response body with its content type
 * (one file: PDF, TIFF, ZIP, or a single page), or writes into a folder the
 * administrator allowed (`folder`: index in SaveFolders of scanbridge.ini)
 * under a name the service makes safe.
 */
import { z } from 'zod';
import { COMPRESSIONS, ZIP_PAGE_FORMATS } from '../format-lists.js';
import { JobInfo, PageInfo, PageRef } from '../models.js';
import { SaveOcr } from '../ocr-models.js';
import type { MethodSpec } from './spec.js';

export const InputFormat = z.enum(['auto', 'jpeg', 'png', 'bmp', 'tiff', 'webp', 'pdf']);
export type InputFormat = z.infer<typeof InputFormat>;

export const OutputFormat = z.enum(['pdf', 'tiff', 'jpeg', 'png', 'bmp', 'zip']);
export type OutputFormat = z.infer<typeof OutputFormat>;

/** What each page becomes inside a ZIP: the per-page formats (a TIFF here is a single page). */
export const ZipPageFormat = z.enum(ZIP_PAGE_FORMATS);
export type ZipPageFormat = z.infer<typeof ZipPageFormat>;

/**
 * How each page is compressed in PDF, TIFF (also TIFF pages in a ZIP) and uploads of them:
 *  - auto (the default): line-art and pages measured to be black and white as CCITT G4; pages
 *    stored as JPEG byte for byte; photos as JPEG; colour and grey documents in PDF as a G4 layer
 *    of the dark text over a JPEG of the rest at half resolution (mixed raster), in TIFF as JPEG;
 *  - jpeg: JPEG at `quality` (default 80) for grey and colour pages, G4 for line-art;
 *  - g4: CCITT G4; only for black-and-white (1-bit) pages, any other page is refused, named;
 *  - lossless: G4 for line-art, JPEG pages as stored, everything else lossless (PDF: Flate, TIFF: LZW);
 *  - none, lzw, deflate: TIFF only.
 */
export const Compression = z.enum(COMPRESSIONS);
export type Compression = z.infer<typeof Compression>;
/** The former name, kept for code written against it. */
export const TiffCompression = Compression;
export type TiffCompression = Compression;

const text = z.string().max(2000);

export const PdfMetadata = z.strictObject({ title: text.optional(), author: text.optional(), subject: text.optional(), keywords: text.optional(), creator: text.optional() });

const dpi = z.number().positive().max(100000);

export const SavedFile = z.object({
  /** File name (the service's choice when saved to a folder). */
  name: z.string(),
  size: z.number().int(),
  /** The file, base64 (when neither `binary` nor `folder` was asked). */
  data: z.string().optional(),
  /** Index in SaveFolders of the folder it was written to. */
  folder: z.number().int().optional(),
  /** Pages in the file. */
  pages: z.number().int(),
});

export const SaveResult = z.object({
  format: OutputFormat,
  mimeType: z.string(),
  pages: z.number().int(),
  files: z.array(SavedFile),
});
export type SaveResult = z.infer<typeof SaveResult>;

const LoadParams = z.strictObject({
  data: z.string().min(1).optional().describe('the file, base64 (a data: URL is accepted); leave out when the HTTP body is the file'),
  format: InputFormat.default('auto').describe('what the file must be; auto tells by content'),
  index: z.number().int().min(0).optional().describe('where the first page goes; default: the end'),
  dpi: z.number().int().min(36).max(1200).default(200).describe('resolution at which PDF pages are rendered'),
  password: z.string().max(1000).optional().describe('password of an encrypted PDF'),
  xdpi: dpi.optional().describe("resolution to record on the pages, overriding the file's"),
  ydpi: dpi.optional(),
  tags: z.array(z.string().min(1).max(100)).max(100).optional(),
});

export const DOCUMENT_METHODS = {
  LoadImages: {
    session: true,
    safe: false,
    binaryBody: true,
    takesFile: true,
    params: LoadParams,
    result: z.tuple([z.array(PageInfo)]),
    summary: 'Load every page of a JPEG, PNG, BMP, TIFF, WebP or PDF file into the buffer and answer the pages; for large files use StartLoad.',
  },
  StartLoad: {
    session: true,
    safe: false,
    binaryBody: true,
    takesFile: true,
    params: LoadParams,
    result: z.tuple([JobInfo]),
    summary: 'Start loading a file as a job (progress events, WaitJob, CancelJob); its pages arrive together when it ends.',
  },
  SaveImages: {
    session: true,
    safe: false,
    params: z.strictObject({
      format: OutputFormat,
      pages: z.array(PageRef).min(1).max(100000).optional().describe('default: every page, in buffer order'),
      document: z.string().min(1).max(64).optional().describe("a document's pages (an id from GetDocuments), instead of pages"),
      eachDocument: z.boolean().optional().describe('one file per document, named after the code that named it (made safe, unique), in document order'),
      binary: z.boolean().default(false).describe('HTTP: answer the file itself instead of JSON'),
      folder: z.number().int().min(0).max(999).optional().describe('write into SaveFolders[folder] instead of answering the file'),
      fileName: z.string().min(1).max(255).optional().describe('name wanted for the file (made safe by the service)'),
      overwrite: z.boolean().default(false).describe('replace a file of the same name in the folder (default: pick a free name)'),
      quality: z.number().int().min(1).max(100).optional().describe('JPEG quality: jpeg output, and the JPEG parts of pdf and tiff (compression auto or jpeg; default 80, the auto background 70)'),
      progressive: z.boolean().optional().describe('progressive JPEG (jpeg)'),
      compression: Compression.optional().describe('pdf and tiff: auto (default; small: G4 for black and white, JPEG for photos, mixed raster for colour documents), jpeg, g4, lossless; tiff also none, lzw, deflate'),
      pageFormat: ZipPageFormat.optional().describe('zip (required there): the format of each page file in the ZIP; quality, progressive and compression apply to it'),
      metadata: PdfMetadata.optional().describe('pdf: document information'),
      pdfa: z.boolean().optional().describe('pdf: PDF/A-2b'),
      ocr: SaveOcr.optional().describe('pdf: searchable: each page\'s text recognised in these languages (pages already recognised are not read again) and laid invisibly under its image'),
      password: z.string().min(1).max(127).optional().describe('pdf: AES-256 password'),
    }),
    result: z.tuple([SaveResult]),
    summary: 'Save pages as PDF, TIFF, JPEG, PNG, BMP or a ZIP of page files: base64, the HTTP body itself (binary), or a file in an allowed folder.',
  },
} as const satisfies Record<string, MethodSpec>;
