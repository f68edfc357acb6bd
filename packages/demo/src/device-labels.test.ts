/** The demo's scanner list tells devices of the same name apart. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { deviceLabels } from './device-labels.js';

it('adds the id to names that more than one device carries', () => {
  const labels = deviceLabels([
    { id: 'demo:scanner', name: 'scanbridge Demo Scanner' },
    { id: 'sane:test:0', name: 'Noname frontend-tester' },
    { id: 'sane:test:1', name: 'Noname frontend-tester' },
  ]);
  assert.deepEqual(labels, ['scanbridge Demo Scanner', 'Noname frontend-tester (sane:test:0)', 'Noname frontend-tester (sane:test:1)']);
  assert.equal(new Set(labels).size, 3);
});

it('says which scanners are on the network (eSCL)', () => {
  assert.deepEqual(deviceLabels([
    { id: 'demo:scanner', name: 'scanbridge Demo Scanner', driver: 'demo' },
    { id: 'escl:http://192.168.1.20/eSCL', name: '192.168.1.20', driver: 'escl' },
  ]), ['scanbridge Demo Scanner', '192.168.1.20 — network scanner']);
});
