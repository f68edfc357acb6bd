/**
 * Normalized capabilities and scan plans for option sets the way real
 * backends name them (a duplex feeder scanner with "ADF Duplex", one with an
 * adf-mode switch, a flatbed with Lineart and brightness), without hardware.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ScanbridgeError, ScanSettings, type ScanSettingsInput } from '@scanbridge/protocol';
import { capabilitiesOf } from './sane-capabilities.js';
import type { SaneOption } from './sane-model.js';
import { planScan, toneValue } from './scan-plan.js';

let index = 0;
function option(name: string, o: Partial<SaneOption>): SaneOption {
  return { index: ++index, name, title: name, description: '', type: 'int', unit: '', count: 1, active: true, settable: true, readable: true, constraint: null, value: null, ...o };
}
const strings = (values: string[]) => ({ kind: 'strings' as const, values });
const range = (min: number, max: number, quant = 0) => ({ kind: 'range' as const, min, max, quant });
const geometry = (width: number, height: number): SaneOption[] => [
  option('tl-x', { type: 'fixed', unit: 'mm', constraint: range(0, width) }),
  option('tl-y', { type: 'fixed', unit: 'mm', constraint: range(0, height) }),
  option('br-x', { type: 'fixed', unit: 'mm', constraint: range(0, width) }),
  option('br-y', { type: 'fixed', unit: 'mm', constraint: range(0, height) }),
];

/** Like fujitsu or canon_dr: sources name the sides, modes Lineart/Halftone/Gray/Color, a resolution list. */
const SHEETFED: SaneOption[] = [
  option('source', { type: 'string', constraint: strings(['ADF Front', 'ADF Back', 'ADF Duplex']), value: 'ADF Front' }),
  option('mode', { type: 'string', constraint: strings(['Lineart', 'Halftone', 'Gray', 'Color']), value: 'Lineart' }),
  option('resolution', { unit: 'dpi', constraint: { kind: 'list', values: [600, 100, 150, 200, 300] }, value: 300 }),
  ...geometry(221, 863),
  option('brightness', { constraint: range(-127, 127, 1), value: 0 }),
  option('contrast', { constraint: range(-127, 127, 1), value: 0 }),
  option('gamma-table', { count: 256, constraint: range(0, 255, 1) }),
  option('page-width', { type: 'fixed', unit: 'mm', settable: false, constraint: range(0, 221) }),
];

/** Like epson2: Flatbed and ADF sources, duplex through adf-mode, brightness 0..100 without a zero point in the middle. */
const FLATBED_ADF: SaneOption[] = [
  option('mode', { type: 'string', constraint: strings(['Binary', 'Gray', 'Color']), value: 'Color' }),
  option('depth', { unit: 'bit', constraint: { kind: 'list', values: [8, 16] }, value: 8 }),
  option('source', { type: 'string', constraint: strings(['Flatbed', 'Automatic Document Feeder']), value: 'Flatbed' }),
  option('adf-mode', { type: 'string', constraint: strings(['Simplex', 'Duplex']), value: 'Simplex', active: false }),
  option('resolution', { unit: 'dpi', constraint: range(50, 1200, 1), value: 300 }),
  ...geometry(215.9, 297.2),
  option('brightness', { constraint: range(0, 100, 1), value: 50 }),
];

const settings = (input: ScanSettingsInput = {}): ScanSettings => ScanSettings.parse(input);

function refusal(fn: () => unknown): ScanbridgeError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ScanbridgeError);
    assert.equal((err as ScanbridgeError).code, 'invalid-settings');
    return err as ScanbridgeError;
  }
  assert.fail('expected invalid-settings');
}

describe('SANE capabilities', () => {
  it('maps a duplex sheet-fed scanner', () => {
    const caps = capabilitiesOf('sane:fujitsu:1', SHEETFED);
    assert.deepEqual(caps.sources, ['feeder']);
    assert.equal(caps.duplex, true);
    assert.deepEqual(caps.colorModes, ['bw', 'gray', 'color']);
    assert.deepEqual(caps.bitDepths, [1, 8]);
    assert.deepEqual(caps.resolutions, [100, 150, 200, 300, 600]);
    assert.deepEqual(caps.maxArea, { width: 221, height: 863 });
    assert.deepEqual(caps.paperSizes, ['A4', 'A5', 'Letter', 'Legal']);
    assert.deepEqual(caps.brightness, { min: -100, max: 100, step: 1 });
    const gamma = caps.options.find((o) => o.name === 'gamma-table');
    assert.deepEqual(gamma && [gamma.settable, gamma.value], [false, null], 'arrays are listed but not settable through one value');
    const width = caps.options.find((o) => o.name === 'page-width');
    assert.deepEqual(width && [width.type, width.unit, width.settable, width.constraint], ['float', 'mm', false, { min: 0, max: 221, step: 0 }]);
  });

  it('maps a flatbed with a feeder, duplex through adf-mode, and 16-bit', () => {
    const caps = capabilitiesOf('sane:epson2:net:1', FLATBED_ADF);
    assert.deepEqual(caps.sources, ['flatbed', 'feeder']);
    assert.equal(caps.duplex, true);
    assert.deepEqual(caps.colorModes, ['bw', 'gray', 'color']);
    assert.deepEqual(caps.bitDepths, [1, 8, 16]);
    assert.deepEqual(caps.resolutions, { min: 50, max: 1200, step: 1 });
    assert.deepEqual(caps.paperSizes, ['A4', 'A5', 'Letter']);
    assert.equal(caps.contrast, null);
  });

  it('without a source option, the device type names the source', () => {
    const minimal = [option('resolution', { unit: 'dpi', constraint: range(75, 600, 1), value: 75 })];
    assert.deepEqual(capabilitiesOf('sane:x', minimal, 'sheetfed scanner').sources, ['feeder']);
    assert.deepEqual(capabilitiesOf('sane:x', minimal, 'flatbed scanner').sources, ['flatbed']);
  });
});

describe('SANE scan plans', () => {
  const assigned = (device: string, options: SaneOption[], input: ScanSettingsInput) =>
    Object.fromEntries(planScan(device, options, settings(input)).assignments.map((a) => [a.name, a.value]));

  it('duplex from a sheet-fed scanner picks its duplex source and keeps feeding', () => {
    const plan = planScan('sane:fujitsu:1', SHEETFED, settings({ source: 'feeder', duplex: true, mode: 'bw', dpi: 200, paper: 'A4' }));
    assert.equal(plan.feeder, true);
    assert.deepEqual(
      plan.assignments.map((a) => [a.name, a.value, a.setting, a.required]),
      [
        ['source', 'ADF Duplex', 'duplex', false],
        ['mode', 'Lineart', 'mode', false],
        ['resolution', 200, 'dpi', false],
        ['tl-x', 0, 'paper', false],
        ['tl-y', 0, 'paper', false],
        ['br-x', 210, 'paper', false],
        ['br-y', 297, 'paper', false],
      ],
    );
  });

  it('duplex through adf-mode; the Binary mode for black and white; 8 bits for grey', () => {
    assert.deepEqual(assigned('sane:epson2:1', FLATBED_ADF, { source: 'feeder', duplex: true, mode: 'bw', dpi: 300, paper: 'Letter' }), {
      source: 'Automatic Document Feeder',
      'adf-mode': 'Duplex',
      mode: 'Binary',
      resolution: 300,
      'tl-x': 0,
      'tl-y': 0,
      'br-x': 215.9,
      'br-y': 279.4,
    });
    const gray = assigned('sane:epson2:1', FLATBED_ADF, { source: 'feeder', mode: 'gray' });
    assert.equal(gray['adf-mode'], 'Simplex');
    assert.equal(gray.depth, 8);
  });

  it('brightness and contrast map -100..100 onto the device range; 0 leaves the device alone', () => {
    assert.deepEqual(assigned('sane:f', SHEETFED, { source: 'feeder', brightness: 50, contrast: -100 }).brightness, 64);
    assert.equal(assigned('sane:f', SHEETFED, { source: 'feeder', contrast: -100 }).contrast, -127);
    assert.equal('brightness' in assigned('sane:f', SHEETFED, { source: 'feeder' }), false);
    const brightness = FLATBED_ADF.find((o) => o.name === 'brightness')!;
    assert.deepEqual([-100, -50, 0, 50, 100].map((v) => toneValue(brightness, v)), [0, 25, 50, 75, 100]);
    const err = refusal(() => planScan('sane:e', FLATBED_ADF, settings({ contrast: 20 })));
    assert.equal(err.message, 'contrast is not adjustable on sane:e; allowed: 0');
  });

  it('an option named in options wins over the normalized setting of the same option', () => {
    const plan = planScan('sane:e', FLATBED_ADF, settings({ mode: 'color', options: { depth: 16, source: 'Automatic Document Feeder' } }));
    assert.equal(plan.assignments.filter((a) => a.name === 'depth').length, 1);
    assert.deepEqual(plan.assignments.at(-2), { name: 'depth', value: 16, setting: 'options.depth', required: true });
    assert.equal(plan.assignments.filter((a) => a.name === 'source').length, 1);
    assert.equal(plan.feeder, true, 'a feeder named through options keeps feeding');
  });

  it('refuses settings the device cannot do, naming the setting and what is allowed', () => {
    assert.equal(refusal(() => planScan('sane:f', SHEETFED, settings({ source: 'flatbed' }))).message, 'source "flatbed" is not supported by sane:f; allowed: feeder');
    assert.equal(refusal(() => planScan('sane:f', SHEETFED, settings({ source: 'feeder', dpi: 250 }))).message, 'dpi 250 is not supported by sane:f; allowed: 600, 100, 150, 200, 300');
    assert.equal(refusal(() => planScan('sane:e', FLATBED_ADF, settings({ duplex: true }))).message, 'duplex needs source "feeder"; got source "flatbed"');
    assert.equal(
      refusal(() => planScan('sane:e', FLATBED_ADF, settings({ paper: 'Legal' }))).message,
      'paper Legal (215.9 x 355.6 mm) does not fit the scan area of sane:e; allowed: A4, A5, Letter or an area within 215.9 x 297.2 mm',
    );
    assert.equal(
      refusal(() => planScan('sane:e', FLATBED_ADF, settings({ paper: { x: 100, y: 0, width: 150, height: 100 } }))).message,
      'paper area 150 x 100 mm at (100, 0) does not fit the scan area of sane:e; allowed: A4, A5, Letter or an area within 215.9 x 297.2 mm',
    );
    const noGrey = SHEETFED.map((o) => (o.name === 'mode' ? { ...o, constraint: strings(['Lineart', 'Color']) } : o));
    assert.equal(refusal(() => planScan('sane:f', noGrey, settings({ source: 'feeder', mode: 'gray' }))).message, 'mode "gray" is not supported by sane:f; allowed: bw, color');
  });

  it('refuses options that do not exist, are read-only or arrays, or get a value outside their constraint', () => {
    const plan = (options: ScanSettingsInput['options']) => () => planScan('sane:f', SHEETFED, settings({ source: 'feeder', options }));
    const missing = refusal(plan({ speed: 3 }));
    assert.equal(missing.message, 'option "speed" of sane:f does not exist; options: source, mode, resolution, tl-x, tl-y, br-x, br-y, brightness, contrast');
    assert.deepEqual(missing.details, { setting: 'options.speed', option: 'speed', value: 3 });
    assert.equal(refusal(plan({ 'page-width': 100 })).message, 'option "page-width" of sane:f is read-only');
    assert.equal(refusal(plan({ 'gamma-table': 1 })).message, 'option "gamma-table" of sane:f holds 256 values and cannot be set to one');
    const outside = refusal(plan({ brightness: 300 }));
    assert.equal(outside.message, 'option "brightness" of sane:f must be from -127 to 127 in steps of 1; got 300');
    assert.deepEqual(outside.details, { setting: 'options.brightness', option: 'brightness', value: 300, allowed: { min: -127, max: 127, step: 1 } });
    assert.equal(refusal(plan({ mode: 'Sepia' })).message, 'option "mode" of sane:f must be one of: Lineart, Halftone, Gray, Color; got "Sepia"');
    assert.equal(refusal(plan({ resolution: 150.5 })).message, 'option "resolution" of sane:f must be one of: 600, 100, 150, 200, 300 dpi; got 150.5');
    assert.equal(refusal(plan({ mode: 3 })).message, 'option "mode" of sane:f must be one of: Lineart, Halftone, Gray, Color; got 3');
  });
});
