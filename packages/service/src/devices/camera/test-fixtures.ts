/** Recorded outputs of camera listings (fixtures/), read by the parser tests from the source tree. */
import { readFileSync } from 'node:fs';

const DIR = new URL('../../../src/devices/camera/fixtures/', import.meta.url);

export function fixture(name: string): string {
  return readFileSync(new URL(name, DIR), 'utf8');
}
