import { z } from 'zod';

export interface MethodSpec {
  readonly session: boolean;
  readonly safe: boolean;
  readonly params: z.ZodType;
  readonly result: z.ZodType;
  readonly summary: string;
  /**
   * Over HTTP the body may be the raw file (any content type other than
   * JSON) with the envelope in the query: `?id=<session>&params=<JSON>`.
   */
  readonly binaryBody?: boolean;
  /** Takes a file (raw, or base64 in JSON): its body may be up to MaxBodyMB; every other method's is small. */
  readonly takesFile?: boolean;
}

/** Params of a method that takes none: any key is an error. */
export const NO_PARAMS = z.strictObject({});
