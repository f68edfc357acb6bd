/**
 * A SANE configuration folder for tests and benchmarks: only the `test`
 * backend (shipped with SANE: virtual flatbed and 10-page feeder, test
 * patterns, injectable errors), with a scan area large enough for A4 unless
 * asked smaller (a 200 x 200 mm device, as cheque and ID-card scanners are). Hand
 * its `env` to the service under test; its workers inherit it.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface TestBackend {
  dir: string;
  /** SANE_CONFIG_DIR pointing at the folder (add it to the service's environment). */
  env: { SANE_CONFIG_DIR: string };
  /** Rewrite test.conf with this many devices (test:0 ... test:<n-1>): a device "unplugged" for the next discovery. */
  setDevices(count: number): Promise<void>;
  remove(): Promise<void>;
}

export interface TestBackendOptions {
  /** Largest tl/br coordinate in mm, both ways (default 300: A4, A5 and Letter fit, Legal does not). */
  geometryMax?: number;
}

function testConf(devices: number, geometryMax: number): string {
  return [
    `number_of_devices ${devices}`,
    'mode Gray',
    'depth 8',
    'hand-scanner false',
    'three-pass false',
    'three-pass-order RGB',
    'resolution_min 1.0',
    'resolution_max 1200.0',
    'resolution_quant 1.0',
    'resolution 50.0',
    'test-picture "Solid black"',
    'invert-endianess false',
    'read-limit false',
    'read-limit-size 1',
    'read-delay false',
    'read-delay-duration 1000',
    'read-status-code "Default"',
    'fuzzy-parameters false',
    'ppl-loss 0',
    'non-blocking false',
    'select-fd false',
    'enable-test-options false',
    'geometry_min 0.0',
    `geometry_max ${geometryMax.toFixed(1)}`,
    'geometry_quant 1.0',
    'tl_x 0.0',
    'tl_y 0.0',
    'br_x 80.0',
    'br_y 100.0',
    '',
  ].join('\n');
}

export async function createTestBackend(devices = 2, options: TestBackendOptions = {}): Promise<TestBackend> {
  const dir = await mkdtemp(path.join(tmpdir(), 'scanbridge-sane-'));
  await writeFile(path.join(dir, 'dll.conf'), 'test\n');
  const setDevices = (count: number): Promise<void> => writeFile(path.join(dir, 'test.conf'), testConf(count, options.geometryMax ?? 300));
  await setDevices(devices);
  return { dir, env: { SANE_CONFIG_DIR: dir }, setDevices, remove: () => rm(dir, { recursive: true, force: true }) };
}
