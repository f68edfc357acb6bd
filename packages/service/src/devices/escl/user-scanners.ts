/**
 * Scanners the user listed with `scanbridge devices add <url>`, kept in the
 * service folder (escl-scanners.json) so they survive restarts. Changes are
 * serialized so two quick adds never lose one another.
 */
import { ScanbridgeError } from '@scanbridge/protocol/core';
import { readJson, writeJson } from './json-file.js';
import { parseScannerUrl } from './scanner-url.js';

interface StoredList {
  scanners: string[];
}

export class UserScanners {
  private writing: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly file: string,
    private urls: string[],
  ) {}

  static async open(file: string): Promise<UserScanners> {
    const stored = await readJson<Partial<StoredList>>(file, { scanners: [] });
    // An entry edited by hand into something wrong is dropped, not fatal: the others still work.
    const urls = (Array.isArray(stored.scanners) ? stored.scanners : []).flatMap((u) => {
      const parsed = typeof u === 'string' ? parseScannerUrl(u) : null;
      return parsed?.ok ? [parsed.value] : [];
    });
    return new UserScanners(file, [...new Set(urls)]);
  }

  list(): readonly string[] {
    return this.urls;
  }

  /** The URL as kept (normalized); false when it was listed already. */
  add(text: string): Promise<{ url: string; added: boolean }> {
    const parsed = parseScannerUrl(text.trim());
    if (!parsed.ok) return Promise.reject(new ScanbridgeError('invalid-params', `params.url: ${parsed.problem}`));
    const url = parsed.value;
    if (this.urls.includes(url)) return Promise.resolve({ url, added: false });
    this.urls = [...this.urls, url];
    return this.save().then(() => ({ url, added: true }));
  }

  /** Matches the URL as given or as normalized; false when it was not listed. */
  async remove(text: string): Promise<boolean> {
    const parsed = parseScannerUrl(text.trim());
    const url = parsed.ok ? parsed.value : text.trim();
    if (!this.urls.includes(url)) return false;
    this.urls = this.urls.filter((u) => u !== url);
    await this.save();
    return true;
  }

  private save(): Promise<void> {
    const snapshot: StoredList = { scanners: [...this.urls] };
    const next = this.writing.then(() => writeJson(this.file, snapshot));
    this.writing = next.catch(() => undefined);
    return next;
  }
}
