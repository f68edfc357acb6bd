/**
 * One scanned page as the document an eSCL client asked for: PNG and JPEG as
 * the buffer would store and save them (a JPEG from the device is passed on
 * as it came), PDF as a one-page PDF. Nothing is kept after it is sent.
 */
import type { AcquiredPage } from '../devices/driver.js';
import { ingestPage } from '../imaging/ingest.js';
import { outputFiles } from '../formats/encode.js';
import type { ServedFormat } from './escl-mapping.js';

export interface EsclDocument {
  mime: ServedFormat;
  bytes: Buffer;
  width: number;
  height: number;
  bytesPerLine: number;
}

const FORMAT_OF: Record<ServedFormat, 'jpeg' | 'png' | 'pdf'> = { 'image/jpeg': 'jpeg', 'image/png': 'png', 'application/pdf': 'pdf' };

export async function encodeDocument(page: AcquiredPage, mime: ServedFormat): Promise<EsclDocument> {
  const stored = await ingestPage(page);
  const [file] = outputFiles({ count: 1, get: async () => stored }, { format: FORMAT_OF[mime] });
  const parts: Buffer[] = [];
  for await (const part of file!.chunks()) parts.push(part);
  const channels = stored.mode === 'color' ? 3 : 1;
  const bytesPerLine = stored.bitDepth === 1 ? Math.ceil(stored.width / 8) : stored.width * channels * (stored.bitDepth > 8 ? 2 : 1);
  return { mime, bytes: Buffer.concat(parts), width: stored.width, height: stored.height, bytesPerLine };
}
