/** Handlers: the image buffer of a session. */
import type { BUFFER_METHODS } from '@scanbridge/protocol';
import { decodeSingle } from '../../formats/buffer-io.js';
import { decodeBase64 } from './base64.js';
import { withBarcodes } from '../../addons/barcode/page-barcodes.js';
import type { DomainHandlers } from './types.js';

export const BUFFER_HANDLERS: DomainHandlers<keyof typeof BUFFER_METHODS> = {
  GetImageCount: ({ session }) => [session.buffer.count()],
  GetImagesInfo: ({ session, params }) => [withBarcodes(session.buffer, session.buffer.list(params.pages))],
  AddImage: async ({ session, params }) => {
    const image = await decodeSingle(decodeBase64(params.data), { xdpi: params.xdpi, ydpi: params.ydpi });
    const opts: { index?: number; tags?: string[] } = {};
    if (params.index !== undefined) opts.index = params.index;
    if (params.tags) opts.tags = params.tags;
    return [await session.buffer.add(image, opts)];
  },
  RemoveImages: async ({ session, params }) => [await session.buffer.remove(params.pages)],
  RemoveSelectedImages: async ({ session }) => [await session.buffer.removeSelected()],
  RemoveAllImages: async ({ session }) => {
    await session.buffer.clear();
    return [true];
  },
  MoveImage: async ({ session, params }) => [await session.buffer.move(params.page, params.to)],
  SwapImages: async ({ session, params }) => [await session.buffer.swap(params.a, params.b)],
  SelectImages: async ({ session, params }) => [await session.buffer.select(params.pages)],
  GetSelectedImages: ({ session }) => [session.buffer.selected()],
  SetImageTags: async ({ session, params }) => [await session.buffer.setTags(params.pages, params.tags, params.mode)],
  FindImagesByTag: ({ session, params }) => [session.buffer.findByTag(params.tag)],
  GetImage: async ({ session, params }) => {
    const info = session.buffer.info(params.page);
    const image = await session.buffer.getImage(params.page);
    return [{ format: image.format, data: image.bytes.toString('base64'), info }];
  },
};
