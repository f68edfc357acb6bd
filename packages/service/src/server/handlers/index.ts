/** Every handler, one file per protocol domain (as the protocol's methods/). */
import type { MethodName } from '@scanbridge/protocol';
import type { DomainHandlers } from './types.js';
import { SERVICE_HANDLERS } from './service.js';
import { BUFFER_HANDLERS } from './buffer.js';
import { SCAN_HANDLERS } from './scan.js';
import { ACCESS_HANDLERS } from './access.js';
import { IMAGING_HANDLERS } from './imaging.js';
import { DOCUMENT_HANDLERS } from './documents.js';
import { UPLOAD_HANDLERS } from './upload.js';
import { BARCODE_HANDLERS } from './barcodes.js';

export const HANDLERS: DomainHandlers<MethodName> = { ...SERVICE_HANDLERS, ...BUFFER_HANDLERS, ...SCAN_HANDLERS, ...IMAGING_HANDLERS, ...ACCESS_HANDLERS, ...DOCUMENT_HANDLERS, ...UPLOAD_HANDLERS, ...BARCODE_HANDLERS };
