/**
 * The scan settings form, built from what the chosen device says it can do
 * (GetCapabilities): only sources, modes, resolutions and paper sizes it
 * supports are offered, and its own options (for the demo scanner: sheets in
 * the feeder, simulated jams...) appear under "Device options".
 */
import type { Capabilities, ScanSettingsInput } from '@scanbridge/client';

const MODE_LABELS: Record<string, string> = { color: 'Colour', gray: 'Grey', bw: 'Black and white' };
const SOURCE_LABELS: Record<string, string> = { flatbed: 'Flatbed', feeder: 'Document feeder' };
const COMMON_DPI = [75, 100, 150, 200, 300, 400, 600, 1200];

type Option = Capabilities['options'][number];

function field(label: string, control: HTMLElement, check = false): HTMLLabelElement {
  const wrapper = document.createElement('label');
  if (check) wrapper.className = 'check';
  wrapper.append(...(check ? [control, label] : [label, control]));
  return wrapper;
}

function select(name: string, values: readonly (string | number)[], labels: Record<string, string> = {}, chosen?: string | number): HTMLSelectElement {
  const el = document.createElement('select');
  el.name = name;
  for (const value of values) el.add(new Option(labels[String(value)] ?? String(value), String(value), false, value === chosen));
  return el;
}

function range(name: string, min: number, max: number, step: number, value: number): HTMLInputElement {
  const el = document.createElement('input');
  Object.assign(el, { type: name === 'brightness' || name === 'contrast' ? 'range' : 'number', name, min: String(min), max: String(max), step: String(step || 1), value: String(value) });
  return el;
}

/** A device-specific option as a control, or null for kinds a form cannot set. */
function optionControl(option: Option): HTMLElement | null {
  const name = `option:${option.name}`;
  // Options the normalized fields above already set (source, mode, resolution...) are not offered twice.
  if (!option.settable || !option.active || option.setBy !== null) return null;
  if (option.type === 'bool') {
    const el = document.createElement('input');
    Object.assign(el, { type: 'checkbox', name, checked: option.value === true });
    return el;
  }
  if (Array.isArray(option.constraint)) return select(name, option.constraint, {}, option.value as string | number);
  if (option.type === 'int' || option.type === 'float') {
    const c = option.constraint && !Array.isArray(option.constraint) ? option.constraint : { min: -1e9, max: 1e9, step: option.type === 'int' ? 1 : 0.01 };
    return range(name, c.min, c.max, c.step, Number(option.value ?? 0));
  }
  if (option.type === 'string') {
    const el = document.createElement('input');
    Object.assign(el, { type: 'text', name, value: String(option.value ?? '') });
    return el;
  }
  return null;
}

/** Fill `container` with controls for `caps`; answers a function that reads the chosen settings. */
export function renderSettings(container: HTMLElement, caps: Capabilities): () => ScanSettingsInput {
  const res = caps.resolutions;
  const dpis = Array.isArray(res) ? res : COMMON_DPI.filter((d) => d >= res.min && d <= res.max);
  const source = select('source', caps.sources, SOURCE_LABELS);
  const duplex = Object.assign(document.createElement('input'), { type: 'checkbox', name: 'duplex' });
  const syncDuplex = () => (duplex.disabled = !caps.duplex || source.value !== 'feeder');
  source.addEventListener('change', syncDuplex);
  syncDuplex();

  const controls: HTMLElement[] = [
    field('Source', source),
    field('Both sides (duplex)', duplex, true),
    field('Colour', select('mode', caps.colorModes, MODE_LABELS, caps.colorModes.includes('color') ? 'color' : caps.colorModes[0])),
    field('Resolution (dpi)', select('dpi', dpis, {}, dpis.includes(200) ? 200 : dpis[0])),
    // '' sends no paper: the device's whole area (or its default), the only choice a scanner smaller than A5 has.
    field('Page size', select('paper', ['', ...caps.paperSizes], { '': `Scanner's default (up to ${Math.round(caps.maxArea.width)} x ${Math.round(caps.maxArea.height)} mm)` }, caps.paperSizes.includes('A4') ? 'A4' : '')),
  ];
  // Lossless pages are the originals; JPEG ones cost a third of the CPU to keep and pass into PDFs as they are.
  controls.push(field('Keep pages as', select('storeJpeg', ['', 90, 75], { '': 'Lossless (PNG)', 90: 'JPEG, quality 90', 75: 'JPEG, quality 75' }, '')));
  if (caps.brightness) controls.push(field('Brightness', range('brightness', caps.brightness.min, caps.brightness.max, caps.brightness.step, 0)));
  if (caps.contrast) controls.push(field('Contrast', range('contrast', caps.contrast.min, caps.contrast.max, caps.contrast.step, 0)));

  const options = document.createElement('details');
  options.innerHTML = '<summary>Device options</summary><div></div>';
  for (const option of caps.options) {
    const control = optionControl(option);
    if (control) options.lastElementChild!.append(field(option.title || option.name, control, option.type === 'bool'));
  }
  if (options.lastElementChild!.childElementCount > 0) controls.push(options);
  container.replaceChildren(...controls);

  return () => {
    const value = (name: string) => container.querySelector<HTMLInputElement | HTMLSelectElement>(`[name=${JSON.stringify(name)}]`)?.value;
    const settings: ScanSettingsInput = {
      source: value('source') as ScanSettingsInput['source'],
      duplex: !duplex.disabled && duplex.checked,
      mode: value('mode') as ScanSettingsInput['mode'],
      dpi: Number(value('dpi')),
      options: {},
    };
    if (value('paper')) settings.paper = value('paper') as ScanSettingsInput['paper'];
    if (value('storeJpeg')) settings.storeJpeg = Number(value('storeJpeg'));
    if (caps.brightness) settings.brightness = Number(value('brightness'));
    if (caps.contrast) settings.contrast = Number(value('contrast'));
    // Only options the user changed are sent: the device's defaults stay the device's business.
    for (const option of caps.options) {
      const el = container.querySelector<HTMLInputElement>(`[name=${JSON.stringify(`option:${option.name}`)}]`);
      if (!el) continue;
      const chosen = option.type === 'bool' ? el.checked : option.type === 'int' || option.type === 'float' ? Number(el.value) : el.value;
      if (chosen !== option.value) settings.options![option.name] = chosen;
    }
    return settings;
  };
}
