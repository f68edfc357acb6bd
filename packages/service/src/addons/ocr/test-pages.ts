/**
 * Generated pages with known text for the OCR tests and bench/ocr: fonts
 * from Debian packages (fonts-dejavu-core, fonts-liberation2) drawn on an A4
 * page at a given resolution, then spoilt as a scanner would (skewed, noisy,
 * JPEG q50, turned). The known text is what a perfect reader answers.
 */
import { existsSync } from 'node:fs';
import { createCanvas, GlobalFonts } from '@napi-rs/canvas';
import { sharp } from '../../imaging/sharp.js';

export const FONTS = {
  'liberation-serif': '/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf',
  'liberation-sans': '/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf',
  'dejavu-sans': '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  'dejavu-serif': '/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf',
} as const;
export type FontName = keyof typeof FONTS;

export const TEXTS = {
  en: [
    'The quarterly report was delivered to the records office on',
    'Monday morning. Every page was scanned, checked and filed',
    'under the customer number given on the first sheet. Please',
    'keep the original letters until the audit has been closed.',
    'Questions about this invoice go to the accounts department,',
    'which answers within five working days of receiving them.',
  ],
  de: [
    'Sehr geehrte Damen und Herren, für die Übernahme der Kosten',
    'benötigen wir bis zum Monatsende Ihre schriftliche Bestätigung.',
    'Die Unterlagen können Sie persönlich im Büro abgeben oder',
    'per Post schicken. Größere Pakete nimmt die Poststelle an.',
    'Mit freundlichen Grüßen aus München, Ihre Versicherung.',
  ],
  fr: [
    'Madame, Monsieur, nous accusons réception de votre dossier',
    'complété le mois dernier. Les pièces justificatives sont',
    'à déposer au guichet, près de la fenêtre, avant vendredi.',
    'Le reçu vous sera envoyé dès que le contrôle sera terminé.',
    'Veuillez agréer nos salutations très distinguées, Noël Garçon.',
  ],
  table: [
    ['Date', 'Account', 'Amount'],
    ['03.01.2026', 'DE89 3704 0044 0532 0130 00', '1.250,00'],
    ['17.02.2026', 'FR76 3000 6000 0112 3456 7890 189', '86,40'],
    ['28.03.2026', 'NL91 ABNA 0417 1643 00', '12.034,99'],
    ['09.04.2026', 'GB29 NWBK 6016 1331 9268 19', '7,05'],
  ],
} as const;
export type TextSet = keyof typeof TEXTS;

export interface TextPageSpec {
  text: TextSet;
  dpi: 200 | 300;
  font: FontName;
  /** Degrees the content is turned clockwise (a sheet fed askew). */
  skew?: number;
  /** Standard deviation of grey noise added to every pixel. */
  noise?: number;
  /** Clockwise quarter turns of the whole page (a sheet fed upside down...). */
  rotate?: 0 | 90 | 180 | 270;
  output?: 'png' | 'jpeg50';
  /** Copies of the text one under the other, for fuller pages (bench). */
  repeat?: number;
}

export interface TextPage {
  bytes: Buffer;
  width: number;
  height: number;
  dpi: number;
  format: 'png' | 'jpeg';
  /** The text as printed, lines joined by newlines. */
  text: string;
}

export const fontsInstalled = (): boolean => Object.values(FONTS).every((f) => existsSync(f));

const registered = new Set<string>();
function family(font: FontName): string {
  if (!registered.has(font)) {
    if (!GlobalFonts.registerFromPath(FONTS[font], font)) throw new Error(`font ${FONTS[font]} did not load (scripts/setup.sh --test installs it)`);
    registered.add(font);
  }
  return font;
}

function linesOf(set: TextSet): string[][] {
  const t = TEXTS[set];
  return set === 'table' ? (t as readonly (readonly string[])[]).map((r) => [...r]) : (t as readonly string[]).map((l) => [l]);
}

/** Deterministic noise so a failing page can be generated again. */
function noisy(data: Buffer, sigma: number, seed: number): void {
  let s = seed >>> 0 || 1;
  for (let i = 0; i < data.length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    const u = ((s >>> 0) / 4294967296 + ((s * 2654435761) >>> 0) / 4294967296 - 1) * 1.7;
    data[i] = Math.max(0, Math.min(255, Math.round(data[i]! + u * sigma)));
  }
}

export async function textPage(spec: TextPageSpec, seed = 1): Promise<TextPage> {
  const mm = (v: number) => Math.round((v * spec.dpi) / 25.4);
  const width = mm(210);
  const height = mm(297);
  const canvas = createCanvas(width, height);
  const g = canvas.getContext('2d');
  g.fillStyle = '#ffffff';
  g.fillRect(0, 0, width, height);
  g.fillStyle = '#111111';
  const size = Math.round((11 / 72) * spec.dpi);
  g.font = `${size}px "${family(spec.font)}"`;
  g.textBaseline = 'alphabetic';
  const rows = linesOf(spec.text);
  const columns = spec.text === 'table' ? [0, mm(35), mm(125)] : [0];
  const lines: string[] = [];
  let y = mm(30) + size;
  for (let copy = 0; copy < (spec.repeat ?? 1); copy++) {
    for (const row of rows) {
      row.forEach((cell, i) => g.fillText(cell, mm(25) + columns[i]!, y));
      lines.push(row.join(' '));
      y += Math.round(size * 1.6);
    }
    y += size;
  }
  const grey = Buffer.from(canvas.getContext('2d').getImageData(0, 0, width, height).data.filter((_, i) => i % 4 === 0));
  let s = sharp(grey, { raw: { width, height, channels: 1 } });
  if (spec.skew) {
    const turned = await s.rotate(spec.skew, { background: '#ffffff' }).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
    // Cut back to A4 around the centre, as the scanner's platen would.
    const left = Math.round((turned.info.width - width) / 2);
    const top = Math.round((turned.info.height - height) / 2);
    s = sharp(turned.data, { raw: { width: turned.info.width, height: turned.info.height, channels: 1 } }).extract({ left, top, width, height });
  }
  let data = (await s.toColourspace('b-w').raw().toBuffer()) as Buffer;
  if (spec.noise) noisy(data, spec.noise, seed);
  let out = sharp(data, { raw: { width, height, channels: 1 } });
  let w = width;
  let h = height;
  if (spec.rotate) {
    out = sharp(await out.rotate(spec.rotate).toColourspace('b-w').raw().toBuffer(), { raw: spec.rotate === 180 ? { width, height, channels: 1 } : { width: height, height: width, channels: 1 } });
    if (spec.rotate !== 180) [w, h] = [height, width];
  }
  out = out.withMetadata({ density: spec.dpi });
  const bytes = spec.output === 'jpeg50' ? await out.jpeg({ quality: 50 }).toBuffer() : await out.png({ compressionLevel: 1 }).toBuffer();
  data = Buffer.alloc(0);
  return { bytes, width: w, height: h, dpi: spec.dpi, format: spec.output === 'jpeg50' ? 'jpeg' : 'png', text: lines.join('\n') };
}

/** Whitespace collapsed: line breaks and column gaps are layout, not characters. */
export const normalise = (s: string): string => s.replace(/\s+/g, ' ').trim();

/** Levenshtein distance over code points. */
function distance(a: string[], b: string[]): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

/** Character error rate of `got` against `want`, in percent, whitespace collapsed. */
export function cer(got: string, want: string): number {
  const w = [...normalise(want)];
  return (100 * distance([...normalise(got)], w)) / Math.max(1, w.length);
}
