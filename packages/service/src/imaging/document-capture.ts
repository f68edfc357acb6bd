/**
 * The scan setting `document` (camera captures): each page is flattened as
 * it arrives, with CorrectPerspective's options, before it enters the
 * buffer. The options are checked when the job starts, so a wrong one is
 * refused by StartScan (invalid-settings) before the camera is used.
 */
import { z } from 'zod';
import { ScanbridgeError, documentOptions, type ScanSettings } from '@scanbridge/protocol';
import type { StoredImage } from '../buffer/types.js';
import type { DocumentOptions } from './document.js';

const CaptureOptions = z.strictObject(documentOptions);

/** The options of `settings.document`, or null when pages are kept as captured. */
export function captureDocumentOptions(setting: ScanSettings['document']): DocumentOptions | null {
  if (!setting) return null;
  const parsed = CaptureOptions.safeParse(setting === true ? {} : setting);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ScanbridgeError('invalid-settings', `settings.document.${issue.path.join('.')}: ${issue.message}`, { setting: `document.${issue.path.join('.')}` });
  }
  return parsed.data;
}

/** The page flattened, or as captured when no page is found in it. */
export async function flattenCapture(image: StoredImage, options: DocumentOptions): Promise<{ image: StoredImage; documentFound: boolean }> {
  const { correctDocument } = await import('./document.js');
  const r = await correctDocument(image, options);
  return { image: r.documentFound ? r.page : image, documentFound: r.documentFound };
}
