/** Messages between the document pool and its threads. */
import type { DocumentCorners, Pixels } from './analysis/document-corners.js';
import type { CorrectOptions, Corrected } from './edits/perspective.js';

export type DocumentTask = { id: number; op: 'detect'; pixels: Pixels } | { id: number; op: 'correct'; pixels: Pixels; options: CorrectOptions };

export type DocumentReply =
  | { id: number; ok: true; op: 'detect'; result: DocumentCorners }
  | { id: number; ok: true; op: 'correct'; result: Corrected }
  | { id: number; ok: false; message: string };
