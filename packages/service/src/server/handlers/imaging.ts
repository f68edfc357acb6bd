/** Handlers: editing and analysing pages of a session's buffer (rules of a batch: imaging/page-batch.ts). */
import type { IMAGING_METHODS } from '@scanbridge/protocol';
import { measureBlank } from '../../imaging/analysis/blank.js';
import { measureSkew } from '../../imaging/analysis/skew.js';
import { bordersEdit, deskewEdit } from '../../imaging/edits/cleanup.js';
import { bitDepthEdit, bwEdit, grayEdit, invertEdit, toneEdit } from '../../imaging/edits/colour.js';
import { eraseEdit } from '../../imaging/edits/erase.js';
import { cropEdit, dpiEdit, flipEdit, mirrorEdit, resizeEdit, rotateEdit } from '../../imaging/edits/geometry.js';
import { analysePages, editPages } from '../../imaging/page-batch.js';
import { detectDocumentIn, perspectiveEdit } from '../../imaging/document.js';
import type { DomainHandlers } from './types.js';

export const IMAGING_HANDLERS: DomainHandlers<keyof typeof IMAGING_METHODS> = {
  RotateImages: async ({ session, params }) => [await editPages(session.buffer, params, rotateEdit(params))],
  FlipImages: async ({ session, params }) => [await editPages(session.buffer, params, flipEdit)],
  MirrorImages: async ({ session, params }) => [await editPages(session.buffer, params, mirrorEdit)],
  CropImages: async ({ session, params }) => [await editPages(session.buffer, params, cropEdit(params))],
  EraseImages: async ({ session, params }) => [await editPages(session.buffer, params, eraseEdit(params))],
  ResizeImages: async ({ session, params }) => [await editPages(session.buffer, params, resizeEdit(params))],
  SetImagesDpi: async ({ session, params }) => [await editPages(session.buffer, params, dpiEdit(params))],
  ConvertImagesToGray: async ({ session, params }) => [await editPages(session.buffer, params, grayEdit)],
  ConvertImagesToBW: async ({ session, params }) => [await editPages(session.buffer, params, bwEdit(params))],
  ChangeImagesBitDepth: async ({ session, params }) => [await editPages(session.buffer, params, bitDepthEdit(params))],
  InvertImages: async ({ session, params }) => [await editPages(session.buffer, params, invertEdit)],
  AdjustImagesBrightnessContrast: async ({ session, params }) => [await editPages(session.buffer, params, toneEdit(params))],
  DeskewImages: async ({ session, params }) => [await editPages(session.buffer, params, deskewEdit(params))],
  RemoveImageBorders: async ({ session, params }) => [await editPages(session.buffer, params, bordersEdit(params))],
  DetectBlankImages: async ({ session, params }) => [await analysePages(session.buffer, params, (image) => measureBlank(image, params))],
  DetectSkewAngles: async ({ session, params }) => [await analysePages(session.buffer, params, (image) => measureSkew(image, params.maxAngle))],
  DetectDocument: async ({ session, params }) => [await analysePages(session.buffer, params, (image) => detectDocumentIn(image))],
  CorrectPerspective: async ({ session, params }) => [await editPages(session.buffer, params, perspectiveEdit(params))],
};
