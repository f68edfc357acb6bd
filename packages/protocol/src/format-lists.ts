/** File formats and compressions of saved files, without zod: the service's encoders check against the lists (methods/documents.ts makes its schemas of them). */
export const ZIP_PAGE_FORMATS = ['jpeg', 'png', 'tiff', 'bmp'] as const;
export const COMPRESSIONS = ['auto', 'lossless', 'jpeg', 'g4', 'none', 'lzw', 'deflate'] as const;
