/** The demo devices, their capabilities, and the refusal of settings they cannot honour (exact messages). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Capabilities, ScanbridgeError, type ScanSettingsInput } from '@scanbridge/protocol';
import { DemoDriver } from './demo-driver.js';
import { recordingSink, settings } from './test-helpers.js';

const driver = new DemoDriver({ feederSheets: 7 });

async function refusal(deviceId: string, input: ScanSettingsInput): Promise<ScanbridgeError> {
  try {
    await driver.validate(deviceId, settings(input));
  } catch (err) {
    assert.ok(err instanceof ScanbridgeError, String(err));
    return err;
  }
  assert.fail(`expected ${JSON.stringify(input)} to be refused`);
}

describe('demo devices', () => {
  it('are always available and listed with stable ids', async () => {
    assert.deepEqual(await driver.availability(), { available: true });
    assert.equal(driver.name, 'demo');
    assert.deepEqual(await driver.list(), [
      { id: 'demo:scanner', driver: 'demo', name: 'scanbridge Demo Scanner', vendor: 'scanbridge', model: 'Demo DS-1', type: 'sheetfed+flatbed' },
      { id: 'demo:flatbed', driver: 'demo', name: 'scanbridge Demo Flatbed', vendor: 'scanbridge', model: 'Demo FB-1', type: 'flatbed' },
    ]);
  });

  it('describe the sheet-fed scanner with feeder, duplex and the fault-injection options', async () => {
    const caps = Capabilities.parse(await driver.capabilities('demo:scanner'));
    assert.deepEqual(caps.sources, ['flatbed', 'feeder']);
    assert.equal(caps.duplex, true);
    assert.deepEqual(caps.colorModes, ['bw', 'gray', 'color']);
    assert.deepEqual(caps.bitDepths, [1, 8]);
    assert.deepEqual(caps.resolutions, [75, 100, 150, 200, 300, 400, 600]);
    assert.deepEqual(caps.maxArea, { width: 215.9, height: 355.6 });
    assert.deepEqual(caps.paperSizes, ['A4', 'A5', 'Letter', 'Legal']);
    assert.deepEqual(caps.brightness, { min: -100, max: 100, step: 1 });
    assert.deepEqual(caps.contrast, { min: -100, max: 100, step: 1 });
    const byName = new Map(caps.options.map((o) => [o.name, o]));
    assert.deepEqual([...byName.keys()], ['sheets', 'jamAfter', 'jamAt', 'coverOpen', 'pageDelay', 'pattern']);
    assert.deepEqual(byName.get('sheets'), {
      name: 'sheets',
      title: 'Sheets in the document feeder (0: empty, to try feeder-empty)',
      type: 'int',
      unit: 'sheets',
      constraint: { min: 0, max: 1000, step: 1 },
      value: 7,
      active: true,
      settable: true,
      setBy: null,
    });
    assert.deepEqual(byName.get('jamAfter')?.value, 0);
    assert.deepEqual(byName.get('coverOpen')?.type, 'bool');
    assert.deepEqual(byName.get('pageDelay')?.unit, 'ms');
    assert.deepEqual(byName.get('pattern')?.constraint, ['document', 'blank-backs', 'blank']);
  });

  it('describe the flatbed without feeder options', async () => {
    const caps = Capabilities.parse(await driver.capabilities('demo:flatbed'));
    assert.deepEqual(caps.sources, ['flatbed']);
    assert.equal(caps.duplex, false);
    assert.deepEqual(
      caps.options.map((o) => o.name),
      ['coverOpen', 'pageDelay', 'pattern'],
    );
  });

  it('default to 10 feeder sheets and refuse an impossible default', async () => {
    const caps = await new DemoDriver().capabilities('demo:scanner');
    assert.equal(caps.options.find((o) => o.name === 'sheets')?.value, 10);
    assert.throws(() => new DemoDriver({ feederSheets: 0 }), RangeError);
    assert.throws(() => new DemoDriver({ feederSheets: 1.5 }), RangeError);
  });

  it('refuse unknown devices, naming the known ones', async () => {
    const message = 'Unknown device "demo:nothing"; known devices: demo:scanner, demo:flatbed';
    await assert.rejects(driver.capabilities('demo:nothing'), { code: 'unknown-device', message });
    await assert.rejects(driver.validate('demo:nothing', settings()), { code: 'unknown-device', message });
    await assert.rejects(driver.scan('demo:nothing', settings(), recordingSink(), new AbortController().signal), { code: 'unknown-device', message });
  });
});

describe('demo settings check', () => {
  const cases: [string, string, ScanSettingsInput, string, string][] = [
    ['resolution not in the list', 'demo:scanner', { dpi: 250 }, 'dpi', 'dpi 250 is not supported by demo:scanner; allowed: 75, 100, 150, 200, 300, 400, 600'],
    ['feeder on the flatbed', 'demo:flatbed', { source: 'feeder' }, 'source', 'source "feeder" is not supported by demo:flatbed; allowed: flatbed'],
    ['duplex on the flatbed', 'demo:flatbed', { duplex: true }, 'duplex', 'duplex is not supported by demo:flatbed; allowed: false'],
    ['duplex from the glass', 'demo:scanner', { source: 'flatbed', duplex: true }, 'duplex', 'duplex needs source "feeder"; got source "flatbed"'],
    [
      'area larger than the glass',
      'demo:scanner',
      { paper: { width: 220, height: 300 } },
      'paper',
      'paper area 220 x 300 mm at (0, 0) exceeds the scan area of demo:scanner; allowed: an area within 215.9 x 355.6 mm',
    ],
    [
      'area pushed off the glass',
      'demo:scanner',
      { paper: { x: 10, y: 60, width: 210, height: 297 } },
      'paper',
      'paper area 210 x 297 mm at (10, 60) exceeds the scan area of demo:scanner; allowed: an area within 215.9 x 355.6 mm',
    ],
    ['unknown option', 'demo:scanner', { options: { speed: 3 } }, 'options.speed', 'option "speed" is not supported by demo:scanner; allowed: sheets, jamAfter, jamAt, coverOpen, pageDelay, pattern'],
    ['feeder option on the flatbed', 'demo:flatbed', { options: { sheets: 3 } }, 'options.sheets', 'option "sheets" is not supported by demo:flatbed; allowed: coverOpen, pageDelay, pattern'],
    ['negative sheets', 'demo:scanner', { options: { sheets: -1 } }, 'options.sheets', 'option "sheets" must be an integer from 0 to 1000; got -1'],
    ['too many sheets', 'demo:scanner', { options: { sheets: 1001 } }, 'options.sheets', 'option "sheets" must be an integer from 0 to 1000; got 1001'],
    ['half a sheet', 'demo:scanner', { options: { sheets: 2.5 } }, 'options.sheets', 'option "sheets" must be an integer from 0 to 1000; got 2.5'],
    ['sheets as text', 'demo:scanner', { options: { sheets: '3' } }, 'options.sheets', 'option "sheets" must be an integer from 0 to 1000; got "3"'],
    ['negative jam', 'demo:scanner', { options: { jamAfter: -1 } }, 'options.jamAfter', 'option "jamAfter" must be an integer from 0 to 1000; got -1'],
    ['slow beyond a minute', 'demo:flatbed', { options: { pageDelay: 60001 } }, 'options.pageDelay', 'option "pageDelay" must be an integer from 0 to 60000; got 60001'],
    ['cover as text', 'demo:scanner', { options: { coverOpen: 'yes' } }, 'options.coverOpen', 'option "coverOpen" must be true or false; got "yes"'],
    ['unknown pattern', 'demo:scanner', { options: { pattern: 'photo' } }, 'options.pattern', 'option "pattern" must be one of: document, blank-backs, blank; got "photo"'],
  ];
  for (const [title, device, input, setting, message] of cases) {
    it(`refuses ${title}`, async () => {
      const err = await refusal(device, input);
      assert.equal(err.code, 'invalid-settings');
      assert.equal(err.message, message);
      assert.equal(err.details?.setting, setting);
    });
  }

  it('refuses before any page or progress, in scan() too', async () => {
    const sink = recordingSink();
    await assert.rejects(driver.scan('demo:scanner', settings({ dpi: 123 }), sink, new AbortController().signal), { code: 'invalid-settings' });
    assert.equal(sink.events.length, 0);
  });

  it('accepts every listed value and an area covering the whole glass', async () => {
    for (const dpi of [75, 100, 150, 200, 300, 400, 600]) await driver.validate('demo:scanner', settings({ dpi }));
    for (const paper of ['A4', 'A5', 'Letter', 'Legal'] as const) await driver.validate('demo:flatbed', settings({ paper }));
    for (const mode of ['bw', 'gray', 'color'] as const) await driver.validate('demo:scanner', settings({ mode, brightness: -100, contrast: 100 }));
    await driver.validate('demo:scanner', settings({ paper: { x: 0, y: 0, width: 215.9, height: 355.6 } }));
    await driver.validate(
      'demo:scanner',
      settings({ source: 'feeder', duplex: true, options: { sheets: 1000, jamAfter: 1000, coverOpen: false, pageDelay: 60000, pattern: 'blank-backs' } }),
    );
  });
});
