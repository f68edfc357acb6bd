/**
 * Where each OCR language's data comes from, looked up afresh on every call
 * (an administrator may add a file while the service runs):
 * - `<home>/ocr/<lang>.traineddata`, added by an administrator; wins;
 * - `@tesseract.js-data/<lang>` in node_modules (eng deu fra spa ita por nld
 *   osd ship with scanbridge), gzipped LSTM "best_int" models;
 * - the system tesseract's tessdata folder (Debian `tesseract-ocr-<lang>`),
 *   used only by the system engine.
 * tesseract.js reads every language from one folder, so a call gets a folder
 * of links to the files it needs (`tessdata-links.ts`).
 */
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ScanbridgeError } from '@scanbridge/protocol/core';

const require = createRequire(import.meta.url);

export const BUNDLED_LANGUAGES = ['eng', 'deu', 'fra', 'spa', 'ita', 'por', 'nld', 'osd'] as const;

let adminDir: string | undefined;

/** The service folder's `ocr/` (config/paths); set once at start-up. */
export function setOcrAdminDir(dir: string | undefined): void {
  adminDir = dir;
}
export const ocrAdminDir = (): string | undefined => adminDir;

/** Tesseract's language codes: letters, digits and underscores (`chi_sim`, `deu_latf`). */
const CODE = /^[a-z][a-z0-9_]{1,30}$/i;

/** The gzipped model of a bundled language inside node_modules, or undefined. */
export function bundledFile(lang: string): string | undefined {
  if (!(BUNDLED_LANGUAGES as readonly string[]).includes(lang)) return undefined;
  try {
    const dir = path.dirname(require.resolve(`@tesseract.js-data/${lang}/package.json`));
    const file = path.join(dir, '4.0.0_best_int', `${lang}.traineddata.gz`);
    return existsSync(file) ? file : undefined;
  } catch {
    return undefined;
  }
}

export function adminFile(lang: string): string | undefined {
  if (!adminDir) return undefined;
  const file = path.join(adminDir, `${lang}.traineddata`);
  return existsSync(file) ? file : undefined;
}

/** The file tesseract.js loads for `lang` (admin first, then bundled), or undefined. */
export const jsLanguageFile = (lang: string): string | undefined => adminFile(lang) ?? bundledFile(lang);

/** Languages in a tessdata folder (the `<lang>.traineddata` files it holds). */
export function languagesIn(dir: string | undefined): string[] {
  if (!dir) return [];
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith('.traineddata'))
      .map((f) => f.slice(0, -'.traineddata'.length));
  } catch {
    return [];
  }
}

/** Every language that either engine can use, sorted. */
export function installedLanguages(systemTessdata?: string): string[] {
  const all = new Set<string>([...BUNDLED_LANGUAGES.filter((l) => bundledFile(l)), ...languagesIn(adminDir), ...languagesIn(systemTessdata)]);
  return [...all].sort();
}

/**
 * Checks a language list before any page is read: empty or malformed lists
 * are invalid-params; a language that no engine has is ocr-language-missing,
 * naming it and where its data goes.
 */
export function checkLanguages(languages: readonly string[], systemTessdata?: string): string[] {
  if (languages.length === 0) throw new ScanbridgeError('invalid-params', 'params.languages: expected at least one language, e.g. ["eng"] or ["deu","eng"]', { path: 'languages' });
  const seen = new Set<string>();
  languages.forEach((lang, i) => {
    if (!CODE.test(lang)) throw new ScanbridgeError('invalid-params', `params.languages.${i}: expected a Tesseract language code such as eng or deu, got ${JSON.stringify(lang)}`, { path: `languages.${i}` });
    seen.add(lang);
  });
  const missing = [...seen].filter((lang) => !jsLanguageFile(lang) && !languagesIn(systemTessdata).includes(lang));
  if (missing.length > 0) {
    const where = adminDir ? path.join(adminDir, `${missing[0]}.traineddata`) : `<service folder>/ocr/${missing[0]}.traineddata`;
    throw new ScanbridgeError(
      'ocr-language-missing',
      `OCR language ${missing.join(', ')} is not installed: put ${missing.map((l) => `${l}.traineddata`).join(', ')} in ${path.dirname(where)} (or on Debian install ${missing.map((l) => `tesseract-ocr-${l}`).join(' ')}); installed: ${installedLanguages(systemTessdata).join(', ')}`,
      { languages: missing, folder: path.dirname(where) },
    );
  }
  return [...seen];
}
