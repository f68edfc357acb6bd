/** The colour modes of a page or a scan, without zod: the SANE worker and the SDK need the list, not the schema. */
export const COLOR_MODES = ['bw', 'gray', 'color'] as const;
