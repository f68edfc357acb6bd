/** The image buffer of a session: pages, order, selection, tags. */
import { z } from 'zod';
import { PageInfo, PageRef } from '../models.js';
import { NO_PARAMS as none, type MethodSpec } from './spec.js';

const refs = z.strictObject({ pages: z.array(PageRef).min(1).max(100000) });

export const BUFFER_METHODS = {
  GetImageCount: { session: true, safe: true, params: none, result: z.tuple([z.number().int()]), summary: 'Number of pages in the buffer.' },
  GetImagesInfo: {
    session: true,
    safe: true,
    params: z.strictObject({ pages: z.array(PageRef).max(100000).optional() }),
    result: z.tuple([z.array(PageInfo)]),
    summary: 'Info of the given pages, or of every page.',
  },
  AddImage: {
    session: true,
    safe: false,
    takesFile: true,
    params: z.strictObject({
      data: z.string().min(1).describe('a one-page image file, base64: JPEG, PNG, BMP, TIFF, WebP or PDF'),
      index: z.number().int().min(0).optional(),
      xdpi: z.number().positive().max(100000).optional(),
      ydpi: z.number().positive().max(100000).optional(),
      tags: z.array(z.string().min(1).max(100)).max(100).optional(),
    }),
    result: z.tuple([PageInfo]),
    summary: 'Add a one-page image file (JPEG, PNG, BMP, TIFF, WebP, PDF) as a page, at the end or at index; LoadImages takes every page of a file.',
  },
  RemoveImages: { session: true, safe: false, params: refs, result: z.tuple([z.number().int()]), summary: 'Remove the given pages; answers the new count.' },
  RemoveSelectedImages: { session: true, safe: false, params: none, result: z.tuple([z.number().int()]), summary: 'Remove the selected pages; answers the new count.' },
  RemoveAllImages: { session: true, safe: false, params: none, result: z.tuple([z.literal(true)]), summary: 'Empty the buffer.' },
  MoveImage: {
    session: true,
    safe: false,
    params: z.strictObject({ page: PageRef, to: z.number().int().min(0) }),
    result: z.tuple([z.array(z.string())]),
    summary: 'Move a page to a new index; answers the new order of page ids.',
  },
  SwapImages: {
    session: true,
    safe: false,
    params: z.strictObject({ a: PageRef, b: PageRef }),
    result: z.tuple([z.array(z.string())]),
    summary: 'Swap two pages; answers the new order of page ids.',
  },
  SelectImages: {
    session: true,
    safe: false,
    params: z.strictObject({ pages: z.array(PageRef).max(100000) }),
    result: z.tuple([z.array(z.string())]),
    summary: 'Make exactly these pages the selection (empty list clears it).',
  },
  GetSelectedImages: { session: true, safe: true, params: none, result: z.tuple([z.array(z.string())]), summary: 'Ids of the selected pages in buffer order.' },
  SetImageTags: {
    session: true,
    safe: false,
    params: z.strictObject({ pages: z.array(PageRef).min(1), tags: z.array(z.string().min(1).max(100)).max(100), mode: z.enum(['set', 'add', 'remove']).default('set') }),
    result: z.tuple([z.array(PageInfo)]),
    summary: 'Set, add or remove tags on pages.',
  },
  FindImagesByTag: {
    session: true,
    safe: true,
    params: z.strictObject({ tag: z.string().min(1).max(100) }),
    result: z.tuple([z.array(z.string())]),
    summary: 'Ids of the pages carrying a tag, in buffer order.',
  },
  GetImage: {
    session: true,
    safe: true,
    params: z.strictObject({ page: PageRef }),
    result: z.tuple([z.object({ format: z.enum(['png', 'jpeg']), data: z.string(), info: PageInfo })]),
    summary: 'The stored image of one page, base64.',
  },
} as const satisfies Record<string, MethodSpec>;
