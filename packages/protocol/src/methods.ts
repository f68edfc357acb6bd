/**
 * Every RPC method, defined once. The service validates params against these
 * schemas before dispatching; the SDK's types come from them. PascalCase on the
 * wire (the seed's style), camelCase in the SDK.
 *
 * `session`: the method acts on a session's buffer and is served under /f/
 * (and on the WebSocket); otherwise it is served under /fa/.
 * `safe`: the method changes nothing, so it may also be called with GET.
 */
import type { z } from 'zod';
import { BUFFER_METHODS } from './methods/buffer.js';
import { SCAN_METHODS } from './methods/scan.js';
import { SERVICE_METHODS } from './methods/service.js';
import { IMAGING_METHODS } from './methods/imaging.js';
import { ACCESS_METHODS } from './methods/access.js';
import { DOCUMENT_METHODS } from './methods/documents.js';
import { UPLOAD_METHODS } from './methods/upload.js';
import { BARCODE_METHODS } from './methods/barcodes.js';
import { SEPARATION_METHODS } from './methods/separation.js';
import { OCR_METHODS } from './methods/ocr.js';
import { NETWORK_SCANNER_METHODS } from './methods/network-scanners.js';

export type { MethodSpec } from './methods/spec.js';
export { SERVICE_METHODS, BUFFER_METHODS, SCAN_METHODS, IMAGING_METHODS, ACCESS_METHODS, DOCUMENT_METHODS, UPLOAD_METHODS, BARCODE_METHODS, SEPARATION_METHODS, OCR_METHODS, NETWORK_SCANNER_METHODS };
export { ListedScanner } from './methods/network-scanners.js';
export { BarcodeFormat, BARCODE_FORMATS, BarcodeRegion, BarcodeResult, PageBarcodes, PATCH_CODE_TEXTS, type PatchCodeText, barcodeOptions } from './methods/barcodes.js';
export { DocumentCode, DocumentInfo, MAX_SPLIT_PATTERN, SplitRule, type SplitRuleInput } from './methods/separation.js';
export { OCR_OUTPUTS, OcrOutput, OcrLanguages, PageText, PageOrientation } from './methods/ocr.js';
export { UploadDestination, UploadInfo, UploadResponse, UploadState } from './methods/upload.js';
export { TOKEN_HEADER, AccessGrant, OriginApproval } from './methods/access.js';
export { InputFormat, OutputFormat, ZipPageFormat, Compression, TiffCompression, PdfMetadata, SavedFile, SaveResult } from './methods/documents.js';

/** Every method, one file per domain under methods/ (as Playwright keeps one spec per domain). */
export const METHODS = { ...SERVICE_METHODS, ...BUFFER_METHODS, ...SCAN_METHODS, ...IMAGING_METHODS, ...ACCESS_METHODS, ...DOCUMENT_METHODS, ...UPLOAD_METHODS, ...BARCODE_METHODS, ...SEPARATION_METHODS, ...OCR_METHODS, ...NETWORK_SCANNER_METHODS } as const;

export type MethodName = keyof typeof METHODS;
export type ParamsOf<M extends MethodName> = z.input<(typeof METHODS)[M]['params']>;
export type ParsedParamsOf<M extends MethodName> = z.output<(typeof METHODS)[M]['params']>;
export type ResultOf<M extends MethodName> = z.infer<(typeof METHODS)[M]['result']>;

export const METHOD_NAMES = Object.keys(METHODS) as MethodName[];

export function isMethodName(value: unknown): value is MethodName {
  return typeof value === 'string' && Object.hasOwn(METHODS, value);
}
export { DOCUMENT_PAPERS, DocumentPaper, DocumentCorners, DocumentDetection, documentOptions } from './methods/imaging.js';
