/**
 * The one place that decides whether a value suits a SANE option, and says
 * what would: used by the service before a job starts and by the worker
 * when the device's options have changed under the settings.
 */
import { ScanbridgeError } from '@scanbridge/protocol/core';
import type { OptionValue, SaneOption } from './sane-model.js';

const show = (value: unknown): string => (typeof value === 'string' ? JSON.stringify(value) : String(value));

/** Fixed-point values are 16.16: two values closer than a step of that are the same. */
const FIXED_EPSILON = 1 / 65536;

const UNIT_TEXT: Record<SaneOption['unit'], string> = { '': '', pixel: ' px', bit: ' bit', mm: ' mm', dpi: ' dpi', '%': ' %', us: ' µs' };

/** What the option accepts, as a phrase: "one of: Gray, Color", "from 1 to 1200 dpi in steps of 1", "true or false". */
export function allowedText(option: SaneOption): string {
  const unit = UNIT_TEXT[option.unit];
  const c = option.constraint;
  if (option.type === 'bool') return 'true or false';
  if (option.type === 'button') return 'true (to press it)';
  if (c?.kind === 'strings' || c?.kind === 'list') return `one of: ${c.values.join(', ')}${c.kind === 'list' ? unit : ''}`;
  if (c?.kind === 'range') return `from ${c.min} to ${c.max}${unit}${c.quant > 0 ? ` in steps of ${c.quant}` : ''}`;
  return option.type === 'int' ? 'an integer' : option.type === 'fixed' ? 'a number' : 'a string';
}

/** The allowed values as data, for error details. */
export function allowedValues(option: SaneOption): unknown {
  const c = option.constraint;
  if (option.type === 'bool') return [true, false];
  if (option.type === 'button') return [true];
  if (c?.kind === 'range') return { min: c.min, max: c.max, step: c.quant };
  if (c) return c.values;
  return option.type;
}

/** Why `value` does not suit the option (type or constraint), or null when it does. */
export function valueProblem(option: SaneOption, value: OptionValue): string | null {
  const wrong = `must be ${allowedText(option)}; got ${show(value)}`;
  switch (option.type) {
    case 'bool':
      return typeof value === 'boolean' ? null : wrong;
    case 'button':
      return value === true ? null : wrong;
    case 'string':
      if (typeof value !== 'string') return wrong;
      return option.constraint?.kind === 'strings' && !option.constraint.values.includes(value) ? wrong : null;
    case 'int':
    case 'fixed': {
      if (typeof value !== 'number' || !Number.isFinite(value) || (option.type === 'int' && !Number.isInteger(value))) return wrong;
      const c = option.constraint;
      const tolerance = option.type === 'fixed' ? FIXED_EPSILON : 0;
      if (c?.kind === 'range') {
        if (value < c.min - tolerance || value > c.max + tolerance) return wrong;
        // Integer steps are exact; fixed-point backends round to their step themselves.
        if (option.type === 'int' && c.quant > 1 && (value - c.min) % c.quant !== 0) return wrong;
      }
      if (c?.kind === 'list' && !c.values.some((v) => Math.abs(v - value) <= tolerance)) return wrong;
      return null;
    }
  }
}

export function invalidOption(device: string, option: SaneOption | string, setting: string, value: unknown, problem: string): ScanbridgeError {
  const name = typeof option === 'string' ? option : option.name;
  return new ScanbridgeError('invalid-settings', `option "${name}" of ${device} ${problem}`, {
    setting,
    option: name,
    value,
    ...(typeof option === 'string' ? {} : { allowed: allowedValues(option) }),
  });
}
