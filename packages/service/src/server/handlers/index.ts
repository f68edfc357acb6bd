/** Every handler, one file per protocol domain (as the protocol's methods/). */
import type { DOCUMENT_METHODS, IMAGING_METHODS, MethodName } from '@scanbridge/protocol';
import { lazyImport } from '../../util/lazy-import.js';
import type { Call, DomainHandlers } from './types.js';
import { SERVICE_HANDLERS } from './service.js';
import { BUFFER_HANDLERS } from './buffer.js';
import { SCAN_HANDLERS } from './scan.js';
import { ACCESS_HANDLERS } from './access.js';
import { UPLOAD_HANDLERS } from './upload.js';
import { BARCODE_HANDLERS } from './barcodes.js';
import { SEPARATION_HANDLERS } from './separation.js';
import { OCR_HANDLERS } from './ocr.js';
import { NETWORK_SCANNER_HANDLERS } from './network-scanners.js';

/** Handlers whose modules load with the domain's first call instead of at start. */
function lazyDomain<K extends MethodName>(methods: Record<K, unknown>, load: () => Promise<DomainHandlers<K>>): DomainHandlers<K> {
  const domain = lazyImport(load);
  const entries = (Object.keys(methods) as K[]).map((name) => [name, async (call: Call<K>) => ((await domain())[name] as (call: Call<K>) => unknown)(call)]);
  return Object.fromEntries(entries) as DomainHandlers<K>;
}

/** The imaging methods by name (typed: one missing or extra fails to compile), so that the protocol's schemas need not load to list them. */
const IMAGING_NAMES: Record<keyof typeof IMAGING_METHODS, true> = {
  RotateImages: true,
  FlipImages: true,
  MirrorImages: true,
  CropImages: true,
  EraseImages: true,
  ResizeImages: true,
  SetImagesDpi: true,
  ConvertImagesToGray: true,
  ConvertImagesToBW: true,
  ChangeImagesBitDepth: true,
  InvertImages: true,
  AdjustImagesBrightnessContrast: true,
  DeskewImages: true,
  RemoveImageBorders: true,
  DetectBlankImages: true,
  DetectSkewAngles: true,
  DetectDocument: true,
  CorrectPerspective: true,
};

// Page edits and analyses (imaging/): most sessions scan and save without them.
const IMAGING_HANDLERS = lazyDomain(IMAGING_NAMES, async () => (await import('./imaging.js')).IMAGING_HANDLERS);

const DOCUMENT_NAMES: Record<keyof typeof DOCUMENT_METHODS, true> = { LoadImages: true, StartLoad: true, SaveImages: true };

// Loading and saving files: the file encoders (PDF, TIFF, ZIP...) load with the first such call, not at start.
const DOCUMENT_HANDLERS = lazyDomain(DOCUMENT_NAMES, async () => (await import('./documents.js')).DOCUMENT_HANDLERS);

export const HANDLERS: DomainHandlers<MethodName> = { ...SERVICE_HANDLERS, ...BUFFER_HANDLERS, ...SCAN_HANDLERS, ...IMAGING_HANDLERS, ...ACCESS_HANDLERS, ...DOCUMENT_HANDLERS, ...UPLOAD_HANDLERS, ...BARCODE_HANDLERS, ...SEPARATION_HANDLERS, ...OCR_HANDLERS, ...NETWORK_SCANNER_HANDLERS };
