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

/**
 * Lines of test.conf that a test sets beyond the defaults below: a smaller
 * device (`geometry_max` in mm, e.g. a 200 x 200 mm ID-card scanner), or
 * defaults beyond the ranges sane_control_option allows, e.g. a
 * read-delay-duration of seconds: a device whose every page blocks in
 * sane_read for that long.
 */
export type TestConfOverrides = Partial<Record<'read-delay' | 'read-delay-duration' | 'geometry_max' | 'geometry_quant' | 'test-picture' | 'read-status-code' | 'mode', string>>;

function testConf(devices: number, overrides: TestConfOverrides): string {
  const lines = [
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
    // 300 mm: A4, A5 and Letter fit, Legal does not.
    'geometry_max 300.0',
    'geometry_quant 1.0',
    'tl_x 0.0',
    'tl_y 0.0',
    'br_x 80.0',
    'br_y 100.0',
  ];
  const set = Object.entries(overrides).map(([key, value]) => `${key} ${value}`);
  return [...lines.filter((line) => !(line.split(' ')[0]! in overrides)), ...set, ''].join('\n');
}

export async function createTestBackend(devices = 2, overrides: TestConfOverrides = {}): Promise<TestBackend> {
  const dir = await mkdtemp(path.join(tmpdir(), 'scanbridge-sane-'));
  await writeFile(path.join(dir, 'dll.conf'), 'test\n');
  const setDevices = (count: number): Promise<void> => writeFile(path.join(dir, 'test.conf'), testConf(count, overrides));
  await setDevices(devices);
  return { dir, env: { SANE_CONFIG_DIR: dir }, setDevices, remove: () => rm(dir, { recursive: true, force: true }) };
}
