/**
 * "Validate at both ends", light at the page: the SDK checks the shape of
 * params from the generated table (no zod in the browser) with the service's
 * message templates. For each wrong value the SDK's message is the service's
 * first one, word for word; values the service accepts pass the SDK too (its
 * checks are only ever weaker). Events are checked the same way.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EVENTS, METHODS, METHOD_TABLE, EVENT_TABLE, ScanbridgeError, lightCheck, parseOrThrow, passes, type MethodName } from '@scanbridge/protocol';

function serviceError(method: MethodName, params: unknown): ScanbridgeError {
  try {
    parseOrThrow(METHODS[method].params, params, 'params');
  } catch (err) {
    if (err instanceof ScanbridgeError) return err;
    throw err;
  }
  assert.fail(`the service accepts ${JSON.stringify(params)}`);
}

function sdkError(method: MethodName, params: unknown): ScanbridgeError {
  try {
    lightCheck(METHOD_TABLE[method].params, params, 'params');
  } catch (err) {
    if (err instanceof ScanbridgeError) return err;
    throw err;
  }
  assert.fail(`the SDK accepts ${JSON.stringify(params)}`);
}

const WRONG: Array<[MethodName, unknown, string]> = [
  ['StartScan', { device: 'demo:scanner', settings: { dpi: 1.5 } }, 'params.settings.dpi: expected integer, got float 1.5'],
  ['StartScan', { device: 'demo:scanner', settings: { dpi: '300' } }, 'params.settings.dpi: expected number, got string "300"'],
  ['StartScan', { device: 'demo:scanner', settings: { dpi: 10 } }, 'params.settings.dpi: expected number >= 25, got 10'],
  ['StartScan', { device: 'demo:scanner', settings: { source: 'tray' } }, 'params.settings.source: expected one of "flatbed", "feeder", got "tray"'],
  ['StartScan', { device: 'demo:scanner', settings: { dpl: 300 } }, 'params.settings: unknown key "dpl"'],
  ['StartScan', { device: 5 }, 'params.device: expected string, got integer 5'],
  ['StartScan', {}, 'params.device: expected string, got nothing'],
  ['StartScan', { device: 'demo:scanner', setting: {} }, 'params: unknown key "setting"'],
  ['WaitJob', { job: 'j1', timeout: 9999 }, 'params.timeout: expected number <= 600, got 9999'],
  ['GetImagesInfo', { pages: 'all' }, 'params.pages: expected array, got string "all"'],
  ['SaveImages', { format: 'gif' }, 'params.format: expected one of "pdf", "tiff", "jpeg", "png", "bmp", "zip", got "gif"'],
  ['SaveImages', { format: 'jpeg', quality: 500 }, 'params.quality: expected number <= 100, got 500'],
  ['ListDevices', { refresh: null }, 'params.refresh: expected boolean, got null'],
  ['RemoveImages', { pages: [] }, 'params.pages: expected array of length >= 1, got array of length 0'],
  ['MoveImage', { page: 0, to: -1 }, 'params.to: expected number >= 0, got -1'],
];

describe('params checked in the page', () => {
  for (const [method, params, message] of WRONG) {
    it(`${method} ${JSON.stringify(params)}: "${message}" at both ends`, () => {
      const sdk = sdkError(method, params);
      const service = serviceError(method, params);
      assert.equal(sdk.code, 'invalid-params');
      assert.equal(sdk.message, message);
      assert.equal(service.message.split('; ')[0], message);
      assert.deepEqual(sdk.details, service.details);
    });
  }

  it('what the service accepts passes the SDK', () => {
    const good: Array<[MethodName, unknown]> = [
      ['StartScan', { device: 'demo:scanner' }],
      ['StartScan', { device: 'demo:scanner', settings: { source: 'feeder', duplex: true, mode: 'color', dpi: 300, paper: 'A4', brightness: -10 } }],
      ['WaitJob', { job: 'j1', timeout: 0.5 }],
      ['GetImagesInfo', {}],
      ['GetImagesInfo', { pages: [0, 'p2'] }],
      ['SaveImages', { format: 'pdf', pages: [0], compression: 'auto' }],
      ['ListDevices', {}],
    ];
    for (const [method, params] of good) {
      parseOrThrow(METHODS[method].params, params, 'params');
      lightCheck(METHOD_TABLE[method].params, params, 'params');
    }
  });

  it('a refinement is left to the service', () => {
    // ResizeImages needs width or height: a rule across keys, which the table does not carry.
    const params = { pages: [0] };
    assert.doesNotThrow(() => lightCheck(METHOD_TABLE.ResizeImages.params, params, 'params'));
    assert.throws(() => parseOrThrow(METHODS.ResizeImages.params, params, 'params'), /give width, height or both/);
  });
});

describe('events checked in the page', () => {
  const job = { id: 'j1', kind: 'scan', device: 'demo:scanner', state: 'running', pages: 0, pageIds: [], error: null, startedAt: '2026-01-01T00:00:00Z', endedAt: null };
  const samples: Array<[keyof typeof EVENTS, unknown, boolean]> = [
    ['buffer', { action: 'add', ids: ['p1'], index: 0, count: 1 }, true],
    ['buffer', { action: 'grow', ids: ['p1'], count: 1 }, false],
    ['buffer', { action: 'add', ids: 'p1', index: 0, count: 1 }, false],
    ['job', { type: 'progress', job, page: 1, fraction: 0.5, bytes: 10, lines: 2 }, true],
    ['job', { type: 'progress', job: { ...job, state: 'sleeping' }, page: 1, fraction: 0.5, bytes: 10, lines: 2 }, false],
    ['job', null, false],
    ['devices', { devices: ['demo:scanner'] }, true],
    ['devices', { devices: 'demo:scanner' }, false],
  ];
  for (const [event, data, ok] of samples) {
    it(`${event} ${JSON.stringify(data).slice(0, 60)}: ${ok ? 'passes' : 'ignored'}, as the schema says`, () => {
      assert.equal(EVENTS[event].safeParse(data).success, ok);
      assert.equal(passes(EVENT_TABLE[event], data), ok);
    });
  }
});
