/**
 * Which Tesseract reads a call's pages. tesseract.js measured 2x to 4x
 * slower per page than the system tesseract at the same accuracy (README,
 * bench/ocr), above the 1.5x limit, so the system one is used when installed
 * with every language asked (and osd); tesseract.js is the everywhere
 * fallback, with its bundled languages and any the administrator added.
 * SCANBRIDGE_OCR_ENGINE=tesseract.js (or tesseract) forces one, for the
 * bench and the tests.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { adminFile, jsLanguageFile, languagesIn } from './languages.js';
import type { EngineChoice, EngineName } from './worker-protocol.js';

interface SystemTesseract {
  command: string;
  tessdata: string;
  languages: string[];
}

let system: SystemTesseract | null | undefined;

/** The system tesseract and its languages (looked up once), or null when it is not installed. */
export function systemTesseract(): SystemTesseract | null {
  if (system !== undefined) return system;
  try {
    const out = execFileSync('tesseract', ['--list-langs'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });
    const folder = /"(.+?)"/.exec(out)?.[1];
    system = folder ? { command: 'tesseract', tessdata: path.resolve(folder), languages: languagesIn(folder) } : null;
  } catch {
    system = null;
  }
  return system;
}

export function forcedEngine(): EngineName | undefined {
  const v = process.env['SCANBRIDGE_OCR_ENGINE'];
  return v === 'tesseract' || v === 'tesseract.js' ? v : undefined;
}

/** The engine for `languages`: the system tesseract when it has them all (admin files beside its own do not mix, so those go to tesseract.js). */
export function chooseEngine(languages: readonly string[], forced = forcedEngine()): EngineChoice {
  const sys = systemTesseract();
  const systemHasAll = sys !== null && languages.every((l) => sys.languages.includes(l) && !adminFile(l));
  if (forced !== 'tesseract.js' && systemHasAll && sys) return { engine: 'tesseract', command: sys.command };
  const files: Record<string, string> = {};
  for (const l of languages) {
    const file = jsLanguageFile(l) ?? (sys?.languages.includes(l) ? path.join(sys.tessdata, `${l}.traineddata`) : undefined);
    if (file) files[l] = file;
  }
  return { engine: 'tesseract.js', files };
}
