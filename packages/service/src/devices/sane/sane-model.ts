/**
 * What the SANE worker tells the service about a device, as plain data:
 * every option with its type, unit, constraint, state and value (fixed-point
 * numbers already turned into floats), and the option assignments a scan is
 * made of. Shared by both sides of the worker boundary and validated there.
 */
import { z } from '../../util/zod-stack.js';

export const SaneDevice = z.object({
  name: z.string().check(z.minLength(1)),
  vendor: z.string(),
  model: z.string(),
  type: z.string(),
});
export type SaneDevice = z.infer<typeof SaneDevice>;

export const OPTION_TYPES = ['bool', 'int', 'fixed', 'string', 'button'] as const;
export const OPTION_UNITS = ['', 'pixel', 'bit', 'mm', 'dpi', '%', 'us'] as const;

export const SaneConstraint = z.union([
  z.null(),
  z.object({ kind: z.literal('range'), min: z.number(), max: z.number(), quant: z.number() }),
  z.object({ kind: z.literal('list'), values: z.array(z.number()) }),
  z.object({ kind: z.literal('strings'), values: z.array(z.string()) }),
]);
export type SaneConstraint = z.infer<typeof SaneConstraint>;

export const SaneOption = z.object({
  /** Position in the device's option list (what sane_control_option takes). */
  index: z.number().check(z.int(), z.positive()),
  name: z.string(),
  title: z.string(),
  description: z.string(),
  type: z.enum(OPTION_TYPES),
  unit: z.enum(OPTION_UNITS),
  /** Number of values: more than 1 for arrays (gamma tables...). */
  count: z.number().check(z.int(), z.nonnegative()),
  active: z.boolean(),
  /** The frontend may set it (SANE_CAP_SOFT_SELECT). */
  settable: z.boolean(),
  /** The frontend may read it (SANE_CAP_SOFT_DETECT). */
  readable: z.boolean(),
  constraint: SaneConstraint,
  /** Current value; null when inactive, unreadable, an array or a button. */
  value: z.union([z.boolean(), z.number(), z.string(), z.null()]),
});
export type SaneOption = z.infer<typeof SaneOption>;

export const OptionValue = z.union([z.boolean(), z.number(), z.string()]);
export type OptionValue = z.infer<typeof OptionValue>;

/** One option to set before a scan; `setting` names where it came from, for error messages. */
export const Assignment = z.object({
  name: z.string().check(z.minLength(1)),
  value: OptionValue,
  setting: z.string(),
  /**
   * Asked for by name (ScanSettings.options): it must exist and be active.
   * Derived from a normalized setting: skipped when the device's other
   * settings make it inactive (e.g. depth in line-art mode).
   */
  required: z.boolean(),
});
export type Assignment = z.infer<typeof Assignment>;
