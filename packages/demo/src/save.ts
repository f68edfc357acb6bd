/** Saving pages as files the browser downloads. */
import type { ScanbridgeClient } from '@scanbridge/client';

export const SAVE_FORMATS = ['pdf', 'tiff', 'jpeg'] as const;
export type SaveFormat = (typeof SAVE_FORMATS)[number];

function download(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = Object.assign(document.createElement('a'), { href: url, download: name });
  link.click();
  // The download has started by the time the next task runs; the URL is not needed after that.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** PDF and TIFF hold every page in one file; JPEG makes one file per page. */
export async function saveAs(client: ScanbridgeClient, format: SaveFormat, pages: string[]): Promise<void> {
  if (pages.length === 0) return;
  for (const file of await client.save({ format, pages })) download(file.blob, file.name);
}
