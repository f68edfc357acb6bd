/** Handlers: the image buffer of a session. */
import { ScanbridgeError, type BUFFER_METHODS } from '@scanbridge/protocol';
import { ingestUpload } from '../../imaging/ingest.js';
import type { DomainHandlers } from './types.js';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function decodeBase64(data: string): Buffer {
  const clean = data.replace(/^data:[^,]*;base64,/, '').replace(/\s+/g, '');
  if (!BASE64.test(clean)) throw new ScanbridgeError('invalid-params', 'params.data: expected base64 image bytes');
  return Buffer.from(clean, 'base64');
}

export const BUFFER_HANDLERS: DomainHandlers<keyof typeof BUFFER_METHODS> = {
  GetImageCount: ({ session }) => [session.buffer.count()],
  GetImagesInfo: ({ session, params }) => [session.buffer.list(params.pages)],
  AddImage: async ({ session, params }) => {
    const image = await ingestUpload(decodeBase64(params.data), { xdpi: params.xdpi, ydpi: params.ydpi ?? params.xdpi });
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
