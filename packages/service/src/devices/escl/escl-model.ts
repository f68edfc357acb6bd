/**
 * The four eSCL documents (Mopria eSCL / PWG 5100.17 names) as plain
 * objects, read from and written to XML in one place for both sides: the
 * driver reads capabilities, status and image info and writes scan settings;
 * the server does the reverse. Lengths are in the protocol's unit, 1/300 inch.
 */
import { ESCL_NS, PWG_NS, type XmlElement, childOf, childrenOf, eitherChild, eitherChildren, intOf, textOf } from './xml-parse.js';
import { el, opt, xmlDocument, type XmlNode } from './xml-write.js';

export const ESCL_UNITS_PER_INCH = 300;
export const ESCL_VERSION = '2.63';

export type EsclColorMode = 'BlackAndWhite1' | 'Grayscale8' | 'Grayscale16' | 'RGB24' | 'RGB48';

export interface EsclRange {
  min: number;
  max: number;
  normal: number;
  step: number;
}

export interface EsclResolutions {
  /** Resolutions offered as a list (X; devices with different X and Y list both, we take X = Y ones). */
  discrete: number[];
  range: EsclRange | null;
}

/** What one input (platen, feeder simplex, feeder duplex) offers. */
export interface EsclInputCaps {
  minWidth: number;
  maxWidth: number;
  minHeight: number;
  maxHeight: number;
  colorModes: string[];
  documentFormats: string[];
  contentTypes: string[];
  resolutions: EsclResolutions;
  intents: string[];
}

export interface EsclCapabilities {
  version: string;
  makeAndModel: string;
  manufacturer?: string;
  serialNumber?: string;
  uuid?: string;
  adminUri?: string;
  iconUri?: string;
  platen?: EsclInputCaps;
  adfSimplex?: EsclInputCaps;
  adfDuplex?: EsclInputCaps;
  feederCapacity?: number;
  adfOptions: string[];
  brightness?: EsclRange;
  contrast?: EsclRange;
  sharpen?: EsclRange;
  threshold?: EsclRange;
  compressionFactor?: EsclRange;
}

export interface EsclRegion {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface EsclScanSettings {
  version: string;
  intent?: string;
  region?: EsclRegion;
  inputSource: string;
  duplex: boolean;
  documentFormat?: string;
  colorMode?: string;
  xResolution?: number;
  yResolution?: number;
  brightness?: number;
  contrast?: number;
  sharpen?: number;
  threshold?: number;
  compressionFactor?: number;
}

export type EsclJobState = 'Pending' | 'Processing' | 'Completed' | 'Canceled' | 'Aborted';

export interface EsclJobInfo {
  uri: string;
  uuid: string;
  age: number;
  imagesCompleted: number;
  imagesToTransfer: number;
  state: EsclJobState | string;
  reasons: string[];
}

export interface EsclStatus {
  version: string;
  /** Idle, Processing, Testing, Stopped or Down. */
  state: string;
  /** ScannerAdfLoaded, ScannerAdfEmpty, ScannerAdfJam, ScannerAdfHatchOpen... */
  adfState?: string;
  jobs: EsclJobInfo[];
}

export interface EsclImageInfo {
  jobUri: string;
  jobUuid: string;
  actualWidth: number;
  actualHeight: number;
  actualBytesPerLine: number;
}

/** Thrown for a document that parses as XML but is not the eSCL document expected. */
export class EsclFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EsclFormatError';
  }
}

function expectRoot(root: XmlElement, name: string): void {
  if (root.name !== name || (root.ns !== ESCL_NS && root.ns !== PWG_NS)) {
    throw new EsclFormatError(`expected an eSCL ${name} document, got <${root.name}>${root.ns ? ` in namespace ${root.ns}` : ''}`);
  }
}

// ---- reading ----

function rangeOf(el: XmlElement | undefined): EsclRange | undefined {
  if (!el) return undefined;
  const min = intOf(el, 'Min');
  const max = intOf(el, 'Max');
  if (min === undefined || max === undefined || max < min) return undefined;
  return { min, max, normal: intOf(el, 'Normal') ?? min, step: Math.max(1, intOf(el, 'Step') ?? 1) };
}

function listOf(parent: XmlElement | undefined, item: string): string[] {
  return eitherChildren(parent, item).map((c) => c.text.trim()).filter((t) => t !== '');
}

function inputCapsOf(caps: XmlElement | undefined): EsclInputCaps | undefined {
  if (!caps) return undefined;
  const colorModes = new Set<string>();
  const formats = new Set<string>();
  const contentTypes = new Set<string>();
  const discrete = new Set<number>();
  let range: EsclRange | null = null;
  for (const profile of childrenOf(childOf(caps, ESCL_NS, 'SettingProfiles'), ESCL_NS, 'SettingProfile')) {
    for (const m of listOf(eitherChild(profile, 'ColorModes'), 'ColorMode')) colorModes.add(m);
    const docFormats = eitherChild(profile, 'DocumentFormats');
    for (const f of [...listOf(docFormats, 'DocumentFormat'), ...listOf(docFormats, 'DocumentFormatExt')]) formats.add(f.toLowerCase());
    for (const t of listOf(eitherChild(profile, 'ContentTypes'), 'ContentType')) contentTypes.add(t);
    const supported = eitherChild(profile, 'SupportedResolutions');
    for (const d of eitherChildren(eitherChild(supported, 'DiscreteResolutions'), 'DiscreteResolution')) {
      const x = intOf(d, 'XResolution');
      const y = intOf(d, 'YResolution') ?? x;
      if (x !== undefined && x === y && x > 0) discrete.add(x);
    }
    const r = rangeOf(eitherChild(eitherChild(supported, 'ResolutionRange'), 'XResolutionRange'));
    if (r && r.min > 0) range = r;
  }
  return {
    minWidth: intOf(caps, 'MinWidth') ?? 1,
    maxWidth: intOf(caps, 'MaxWidth') ?? 0,
    minHeight: intOf(caps, 'MinHeight') ?? 1,
    maxHeight: intOf(caps, 'MaxHeight') ?? 0,
    colorModes: [...colorModes],
    documentFormats: [...formats],
    contentTypes: [...contentTypes],
    resolutions: { discrete: [...discrete].sort((a, b) => a - b), range },
    intents: [...listOf(eitherChild(caps, 'SupportedIntents'), 'Intent'), ...listOf(eitherChild(caps, 'SupportedIntents'), 'SupportedIntent')],
  };
}

export function readCapabilities(root: XmlElement): EsclCapabilities {
  expectRoot(root, 'ScannerCapabilities');
  const adf = eitherChild(root, 'Adf');
  const caps: EsclCapabilities = {
    version: textOf(root, 'Version') ?? '',
    makeAndModel: textOf(root, 'MakeAndModel') ?? '',
    adfOptions: listOf(eitherChild(adf, 'AdfOptions'), 'AdfOption'),
  };
  const strings = { manufacturer: 'Manufacturer', serialNumber: 'SerialNumber', uuid: 'UUID', adminUri: 'AdminURI', iconUri: 'IconURI' } as const;
  for (const [key, name] of Object.entries(strings)) {
    const value = textOf(root, name);
    if (value) caps[key as keyof typeof strings] = value;
  }
  const platen = inputCapsOf(eitherChild(eitherChild(root, 'Platen'), 'PlatenInputCaps'));
  const simplex = inputCapsOf(eitherChild(adf, 'AdfSimplexInputCaps'));
  const duplex = inputCapsOf(eitherChild(adf, 'AdfDuplexInputCaps'));
  if (platen) caps.platen = platen;
  if (simplex) caps.adfSimplex = simplex;
  // A duplex feeder is announced by its own caps, or by the Duplex ADF option with the simplex caps.
  if (duplex) caps.adfDuplex = duplex;
  else if (simplex && caps.adfOptions.includes('Duplex')) caps.adfDuplex = simplex;
  const capacity = intOf(adf, 'FeederCapacity');
  if (capacity !== undefined) caps.feederCapacity = capacity;
  const ranges = { brightness: 'BrightnessSupport', contrast: 'ContrastSupport', sharpen: 'SharpenSupport', threshold: 'ThresholdSupport', compressionFactor: 'CompressionFactorSupport' } as const;
  for (const [key, name] of Object.entries(ranges)) {
    const r = rangeOf(eitherChild(root, name));
    if (r) caps[key as keyof typeof ranges] = r;
  }
  if (!caps.platen && !caps.adfSimplex) throw new EsclFormatError('the capabilities name neither a platen nor a feeder');
  return caps;
}

export function readScanSettings(root: XmlElement): EsclScanSettings {
  expectRoot(root, 'ScanSettings');
  const region = eitherChild(eitherChild(root, 'ScanRegions'), 'ScanRegion');
  const settings: EsclScanSettings = {
    version: textOf(root, 'Version') ?? '',
    inputSource: textOf(root, 'InputSource')?.trim() || 'Platen',
    duplex: textOf(root, 'Duplex')?.trim().toLowerCase() === 'true' || textOf(root, 'Duplex')?.trim() === '1',
  };
  if (region) {
    const width = intOf(region, 'Width');
    const height = intOf(region, 'Height');
    if (width !== undefined && height !== undefined) settings.region = { x: intOf(region, 'XOffset') ?? 0, y: intOf(region, 'YOffset') ?? 0, width, height };
  }
  // DocumentFormatExt says what the client wants when both are given (DocumentFormat may be a generic one).
  const format = textOf(root, 'DocumentFormatExt') ?? textOf(root, 'DocumentFormat');
  if (format) settings.documentFormat = format.trim().toLowerCase();
  const intent = textOf(root, 'Intent');
  if (intent) settings.intent = intent.trim();
  const colorMode = textOf(root, 'ColorMode');
  if (colorMode) settings.colorMode = colorMode.trim();
  const ints = ['xResolution', 'yResolution', 'brightness', 'contrast', 'sharpen', 'threshold', 'compressionFactor'] as const;
  for (const key of ints) {
    const value = intOf(root, key[0]!.toUpperCase() + key.slice(1));
    if (value !== undefined) settings[key] = value;
  }
  return settings;
}

export function readStatus(root: XmlElement): EsclStatus {
  expectRoot(root, 'ScannerStatus');
  const status: EsclStatus = { version: textOf(root, 'Version') ?? '', state: textOf(root, 'State')?.trim() ?? '', jobs: [] };
  const adf = textOf(root, 'AdfState');
  if (adf) status.adfState = adf.trim();
  for (const job of eitherChildren(eitherChild(root, 'Jobs'), 'JobInfo')) {
    status.jobs.push({
      uri: textOf(job, 'JobUri')?.trim() ?? '',
      uuid: textOf(job, 'JobUuid')?.trim() ?? '',
      age: intOf(job, 'Age') ?? 0,
      imagesCompleted: intOf(job, 'ImagesCompleted') ?? 0,
      imagesToTransfer: intOf(job, 'ImagesToTransfer') ?? 0,
      state: textOf(job, 'JobState')?.trim() ?? '',
      reasons: listOf(eitherChild(job, 'JobStateReasons'), 'JobStateReason'),
    });
  }
  return status;
}

export function readImageInfo(root: XmlElement): EsclImageInfo {
  expectRoot(root, 'ScanImageInfo');
  return {
    jobUri: textOf(root, 'JobUri')?.trim() ?? '',
    jobUuid: textOf(root, 'JobUuid')?.trim() ?? '',
    actualWidth: intOf(root, 'ActualWidth') ?? 0,
    actualHeight: intOf(root, 'ActualHeight') ?? 0,
    actualBytesPerLine: intOf(root, 'ActualBytesPerLine') ?? 0,
  };
}

// ---- writing ----

const rangeNode = (name: XmlNode['name'], r: EsclRange | undefined): XmlNode | undefined =>
  r && el(name, [el('scan:Min', String(r.min)), el('scan:Max', String(r.max)), el('scan:Normal', String(r.normal)), el('scan:Step', String(r.step))]);

function inputCapsNode(name: XmlNode['name'], caps: EsclInputCaps): XmlNode {
  const { discrete, range } = caps.resolutions;
  return el(name, [
    el('scan:MinWidth', String(caps.minWidth)),
    el('scan:MaxWidth', String(caps.maxWidth)),
    el('scan:MinHeight', String(caps.minHeight)),
    el('scan:MaxHeight', String(caps.maxHeight)),
    el('scan:MaxScanRegions', '1'),
    el('scan:SettingProfiles', [
      el('scan:SettingProfile', [
        el('scan:ColorModes', caps.colorModes.map((m) => el('scan:ColorMode', m))),
        caps.contentTypes.length > 0 && el('scan:ContentTypes', caps.contentTypes.map((t) => el('pwg:ContentType', t))),
        el('scan:DocumentFormats', [...caps.documentFormats.map((f) => el('pwg:DocumentFormat', f)), ...caps.documentFormats.map((f) => el('scan:DocumentFormatExt', f))]),
        el('scan:SupportedResolutions', [
          discrete.length > 0 && el('scan:DiscreteResolutions', discrete.map((r) => el('scan:DiscreteResolution', [el('scan:XResolution', String(r)), el('scan:YResolution', String(r))]))),
          range && el('scan:ResolutionRange', [rangeNode('scan:XResolutionRange', range), rangeNode('scan:YResolutionRange', range)]),
        ]),
        el('scan:ColorSpaces', [el('scan:ColorSpace', 'sRGB')]),
      ]),
    ]),
    caps.intents.length > 0 && el('scan:SupportedIntents', caps.intents.map((i) => el('scan:Intent', i))),
    el('scan:MaxOpticalXResolution', String(discrete.at(-1) ?? range?.max ?? 300)),
    el('scan:MaxOpticalYResolution', String(discrete.at(-1) ?? range?.max ?? 300)),
  ]);
}

export function capabilitiesXml(caps: EsclCapabilities): string {
  return xmlDocument(
    el('scan:ScannerCapabilities', [
      el('pwg:Version', caps.version || ESCL_VERSION),
      el('pwg:MakeAndModel', caps.makeAndModel),
      opt('scan:Manufacturer', caps.manufacturer),
      opt('pwg:SerialNumber', caps.serialNumber),
      opt('scan:UUID', caps.uuid),
      opt('scan:AdminURI', caps.adminUri),
      opt('scan:IconURI', caps.iconUri),
      caps.platen && el('scan:Platen', [inputCapsNode('scan:PlatenInputCaps', caps.platen)]),
      caps.adfSimplex &&
        el('scan:Adf', [
          inputCapsNode('scan:AdfSimplexInputCaps', caps.adfSimplex),
          caps.adfDuplex && inputCapsNode('scan:AdfDuplexInputCaps', caps.adfDuplex),
          opt('scan:FeederCapacity', caps.feederCapacity),
          caps.adfOptions.length > 0 && el('scan:AdfOptions', caps.adfOptions.map((o) => el('scan:AdfOption', o))),
        ]),
      rangeNode('scan:BrightnessSupport', caps.brightness),
      rangeNode('scan:ContrastSupport', caps.contrast),
      rangeNode('scan:SharpenSupport', caps.sharpen),
      rangeNode('scan:ThresholdSupport', caps.threshold),
      rangeNode('scan:CompressionFactorSupport', caps.compressionFactor),
    ]),
  );
}

export function scanSettingsXml(s: EsclScanSettings): string {
  return xmlDocument(
    el('scan:ScanSettings', [
      el('pwg:Version', s.version || '2.0'),
      opt('scan:Intent', s.intent),
      s.region &&
        el('pwg:ScanRegions', [
          el('pwg:ScanRegion', [
            el('pwg:ContentRegionUnits', 'escl:ThreeHundredthsOfInches'),
            el('pwg:XOffset', String(s.region.x)),
            el('pwg:YOffset', String(s.region.y)),
            el('pwg:Width', String(s.region.width)),
            el('pwg:Height', String(s.region.height)),
          ]),
        ]),
      el('pwg:InputSource', s.inputSource),
      opt('scan:ColorMode', s.colorMode),
      opt('pwg:DocumentFormat', s.documentFormat),
      opt('scan:DocumentFormatExt', s.documentFormat),
      opt('scan:XResolution', s.xResolution),
      opt('scan:YResolution', s.yResolution),
      s.inputSource === 'Feeder' && el('scan:Duplex', String(s.duplex)),
      opt('scan:Brightness', s.brightness),
      opt('scan:Contrast', s.contrast),
      opt('scan:Sharpen', s.sharpen),
      opt('scan:Threshold', s.threshold),
      opt('scan:CompressionFactor', s.compressionFactor),
    ]),
  );
}

export function statusXml(status: EsclStatus): string {
  return xmlDocument(
    el('scan:ScannerStatus', [
      el('pwg:Version', status.version || ESCL_VERSION),
      el('pwg:State', status.state),
      opt('scan:AdfState', status.adfState),
      el(
        'scan:Jobs',
        status.jobs.map((job) =>
          el('scan:JobInfo', [
            el('pwg:JobUri', job.uri),
            el('pwg:JobUuid', job.uuid),
            el('scan:Age', String(job.age)),
            el('pwg:ImagesCompleted', String(job.imagesCompleted)),
            el('pwg:ImagesToTransfer', String(job.imagesToTransfer)),
            el('pwg:JobState', job.state),
            el('pwg:JobStateReasons', job.reasons.map((r) => el('pwg:JobStateReason', r))),
          ]),
        ),
      ),
    ]),
  );
}

export function imageInfoXml(info: EsclImageInfo): string {
  return xmlDocument(
    el('scan:ScanImageInfo', [
      el('pwg:JobUri', info.jobUri),
      el('pwg:JobUuid', info.jobUuid),
      el('scan:ActualWidth', String(info.actualWidth)),
      el('scan:ActualHeight', String(info.actualHeight)),
      el('scan:ActualBytesPerLine', String(info.actualBytesPerLine)),
    ]),
  );
}
