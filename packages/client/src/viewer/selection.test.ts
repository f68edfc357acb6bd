import { it } from 'node:test';
import assert from 'node:assert/strict';
import { dropIndex, inOrder, pick } from './selection.js';

const order = ['a', 'b', 'c', 'd', 'e'];

it('click selects one page and makes it the anchor', () => {
  assert.deepEqual(pick({ order, selected: new Set(['a', 'b']), anchor: 'a' }, { id: 'c' }), { selected: new Set(['c']), anchor: 'c' });
});

it('ctrl-click toggles one page', () => {
  assert.deepEqual(pick({ order, selected: new Set(['a']), anchor: 'a' }, { id: 'c', toggle: true }).selected, new Set(['a', 'c']));
  assert.deepEqual(pick({ order, selected: new Set(['a', 'c']), anchor: 'a' }, { id: 'c', toggle: true }).selected, new Set(['a']));
});

it('shift-click selects the range from the anchor, either way, keeping the anchor', () => {
  assert.deepEqual(pick({ order, selected: new Set(['b']), anchor: 'b' }, { id: 'd', range: true }), { selected: new Set(['b', 'c', 'd']), anchor: 'b' });
  assert.deepEqual(pick({ order, selected: new Set(['d']), anchor: 'd' }, { id: 'a', range: true }).selected, new Set(['a', 'b', 'c', 'd']));
  // ctrl+shift adds the range to the selection
  assert.deepEqual(pick({ order, selected: new Set(['e']), anchor: 'a' }, { id: 'b', range: true, toggle: true }).selected, new Set(['e', 'a', 'b']));
  // without an anchor (or a removed one), shift-click is a click
  assert.deepEqual(pick({ order, selected: new Set(), anchor: 'zz' }, { id: 'b', range: true }), { selected: new Set(['b']), anchor: 'b' });
});

it('selected ids come in buffer order', () => {
  assert.deepEqual(inOrder(order, new Set(['d', 'a'])), ['a', 'd']);
});

it('a dropped page lands where the drop mark shows', () => {
  // a before d: a leaves index 0, so it lands on index 2 (between c and d)
  assert.equal(dropIndex(order, 'a', 'd', false), 2);
  assert.equal(dropIndex(order, 'a', 'd', true), 3);
  assert.equal(dropIndex(order, 'e', 'a', false), 0);
  assert.equal(dropIndex(order, 'd', 'b', true), 2);
  // dropping next to itself changes nothing
  assert.equal(dropIndex(order, 'b', 'c', false), null);
  assert.equal(dropIndex(order, 'b', 'a', true), null);
  assert.equal(dropIndex(order, 'x', 'a', true), null);
});
