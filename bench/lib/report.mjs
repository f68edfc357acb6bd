// What every benchmark prints: the machine's load (a busy machine explains a bad ratio)
// and each ratio as min/median/max beside its target.
import { cpus, loadavg } from 'node:os';
import { median } from './timing.mjs';

export function machineLoad() {
  const [one, five] = loadavg();
  return `machine: ${cpus().length} cores, load average ${one.toFixed(2)} (1 min) ${five.toFixed(2)} (5 min)`;
}

/** `ratios`: one per round; `target`: e.g. '<= 1.0x' or '>= 0.8x'. */
export function ratioLine(label, ratios, target) {
  const sorted = [...ratios].sort((a, b) => a - b);
  const [op, value] = target.split(' ');
  const limit = Number.parseFloat(value);
  const med = median(ratios);
  const met = op === '<=' ? med <= limit : med >= limit;
  return `${label}: ratio min/median/max ${sorted[0].toFixed(2)}/${med.toFixed(2)}/${sorted.at(-1).toFixed(2)}x (target ${target}) ${met ? 'met' : 'NOT met'}`;
}

/**
 * An absolute measure beside its target, in the same form as ratioLine (one
 * value per round; `target` e.g. '>= 2000/s' or '<= 10 ms', its unit after the number).
 */
export function valueLine(label, values, target, digits = 1) {
  const sorted = [...values].sort((a, b) => a - b);
  const [op, value, ...unit] = target.split(' ');
  const limit = Number.parseFloat(value);
  const med = median(values);
  const met = op === '<=' ? med <= limit : med >= limit;
  const suffix = value.replace(/^[\d.]+/, '') || (unit.length ? ` ${unit.join(' ')}` : '');
  const f = (x) => x.toFixed(digits);
  return `${label}: min/median/max ${f(sorted[0])}/${f(med)}/${f(sorted.at(-1))}${suffix} (target ${target}) ${met ? 'met' : 'NOT met'}`;
}
