/**
 * Certificates of HTTPS network scanners, pinned on first use as SSH pins
 * host keys: most scanners sign their own certificate, so there is no CA to
 * check; what protects the user is noticing when the certificate changes.
 * Pins live in escl-pins.json in the service folder, keyed by the scanner's
 * uuid when it announces one (it keeps its uuid when its address changes),
 * else by host and port. The file is read again at each check, so removing
 * an entry (`scanbridge devices unpin`, or by hand) takes effect at once.
 */
import { readJson, writeJson } from './json-file.js';

export interface Pin {
  /** SHA-256 of the DER certificate, as colon-separated hex (what browsers and openssl show). */
  fingerprint: string;
  url: string;
  name: string;
  pinnedAt: string;
}

export type PinCheck = { state: 'pinned-now' } | { state: 'same' } | { state: 'changed'; pinned: Pin };

/** The key of a scanner in the pin file. */
export function pinKey(device: { url: string; uuid?: string | undefined }): string {
  return device.uuid ? `uuid:${device.uuid.toLowerCase()}` : `host:${new URL(device.url).host}`;
}

export class CertificatePins {
  private writing: Promise<unknown> = Promise.resolve();

  constructor(readonly file: string) {}

  async all(): Promise<Record<string, Pin>> {
    return readJson<Record<string, Pin>>(this.file, {});
  }

  /** Compares with the pin, pinning the fingerprint when the device has none yet. */
  check(device: { url: string; name: string; uuid?: string | undefined }, fingerprint: string): Promise<PinCheck> {
    const next = this.writing.then(async (): Promise<PinCheck> => {
      const pins = await this.all();
      const key = pinKey(device);
      const pinned = pins[key];
      if (pinned?.fingerprint === fingerprint) return { state: 'same' };
      if (pinned) return { state: 'changed', pinned };
      await writeJson(this.file, { ...pins, [key]: { fingerprint, url: device.url, name: device.name, pinnedAt: new Date().toISOString() } });
      return { state: 'pinned-now' };
    });
    this.writing = next.catch(() => undefined);
    return next;
  }

  /**
   * Forget the pins matching `what`: a pin key, a uuid, or a URL (matching
   * the pinned URL's host and port). Answers the keys removed.
   */
  async remove(what: string): Promise<string[]> {
    const next = this.writing.then(async () => {
      const pins = await this.all();
      let host: string | null = null;
      try {
        host = new URL(what).host;
      } catch {
        // not a URL: a key or a uuid
      }
      const matches = Object.keys(pins).filter((key) => {
        const pin = pins[key]!;
        return key === what || key === `uuid:${what.toLowerCase()}` || (host !== null && new URL(pin.url).host === host);
      });
      if (matches.length) await writeJson(this.file, Object.fromEntries(Object.entries(pins).filter(([k]) => !matches.includes(k))));
      return matches;
    });
    this.writing = next.catch(() => undefined);
    return next;
  }
}
