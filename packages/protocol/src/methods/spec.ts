import { z } from 'zod';

export interface MethodSpec {
  readonly session: boolean;
  readonly safe: boolean;
  readonly params: z.ZodType;
  readonly result: z.ZodType;
  readonly summary: string;
}

/** Params of a method that takes none: any key is an error. */
export const NO_PARAMS = z.strictObject({});
