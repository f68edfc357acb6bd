/**
 * The parts of zod/mini the service's schemas use, which util/zod-stack.ts
 * gives them as `z`: naming them here (rather than the whole package) lets the
 * build bundle only these. A schema needing another adds it here.
 */
export {
  _default,
  array,
  boolean,
  custom,
  discriminatedUnion,
  enum,
  extend,
  gte,
  int,
  iso,
  literal,
  lte,
  minLength,
  never,
  nonnegative,
  null,
  nullable,
  number,
  object,
  omit,
  optional,
  positive,
  record,
  regex,
  strictObject,
  string,
  union,
  unknown,
} from 'zod/mini';
export type { core, infer, input, output, ZodMiniType } from 'zod/mini';
