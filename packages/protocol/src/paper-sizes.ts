/** Named paper sizes in millimetres, without zod: the service's drivers need the numbers, not the schema (models.ts has PaperSize). */
export const PAPER_SIZES = {
  A4: { width: 210, height: 297 },
  A5: { width: 148, height: 210 },
  Letter: { width: 215.9, height: 279.4 },
  Legal: { width: 215.9, height: 355.6 },
} as const;
