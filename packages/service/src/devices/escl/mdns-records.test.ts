/** The mDNS record cache: TTLs, goodbyes, asking again before expiry, TXT decoding, a bound on its size. */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import type { Answer } from 'dns-packet';
import { MAX_RECORDS, RecordCache, decodeTxt, txtValue } from './mdns-records.js';

const ptr = (instance: string, ttl: number): Answer => ({ name: '_uscan._tcp.local', type: 'PTR', ttl, data: instance });

it('keeps a record for its TTL, asks for it again at 80, 85, 90 and 95% of it, and drops it after', () => {
  const cache = new RecordCache();
  assert.equal(cache.take([ptr('A._uscan._tcp.local', 100)], 0), true);
  assert.equal(cache.take([ptr('A._uscan._tcp.local', 100)], 0), false, 'the same record again is no change');
  assert.deepEqual(cache.dueForRefresh(79_999), []);
  const asked: number[] = [];
  for (let t = 80_000; t < 100_000; t += 1000) if (cache.dueForRefresh(t).length) asked.push(t);
  assert.deepEqual(asked, [80_000, 85_000, 90_000, 95_000]);
  assert.equal(cache.expire(99_999), false);
  assert.equal(cache.expire(100_000), true);
  assert.deepEqual(cache.find('PTR', '_USCAN._tcp.local'), []);
});

it('an answer renews a record; a goodbye (TTL 0) removes it at once', () => {
  const cache = new RecordCache();
  cache.take([ptr('A._uscan._tcp.local', 10)], 0);
  cache.take([ptr('A._uscan._tcp.local', 10)], 9000);
  assert.equal(cache.expire(15_000), false, 'renewed at 9 s, lives until 19 s');
  assert.equal(cache.take([ptr('A._uscan._tcp.local', 0)], 15_000), true);
  assert.equal(cache.find('PTR', '_uscan._tcp.local').length, 0);
});

it('a changed TXT is a change; keys compare without case and the first of a repeated key wins', () => {
  const cache = new RecordCache();
  const txt = (strings: string[]): Answer => ({ name: 'A._uscan._tcp.local', type: 'TXT', ttl: 10, data: strings.map((t) => Buffer.from(t)) });
  cache.take([txt(['rs=eSCL', 'ty=One'])], 0);
  assert.equal(cache.take([txt(['rs=eSCL', 'ty=One'])], 0), false);
  assert.equal(cache.take([txt(['rs=eSCL', 'ty=Two'])], 0), true);
  const decoded = decodeTxt([Buffer.from('Rs=scan'), Buffer.from('rs=other'), Buffer.from('flag'), Buffer.from('')]);
  assert.deepEqual(decoded, { Rs: 'scan', flag: '' });
  assert.equal(txtValue(decoded, 'RS'), 'scan');
});

it(`holds at most ${MAX_RECORDS} records, whatever a responder announces`, () => {
  const cache = new RecordCache();
  cache.take(Array.from({ length: MAX_RECORDS + 500 }, (_, i) => ptr(`S${i}._uscan._tcp.local`, 100)), 0);
  assert.equal(cache.find('PTR', '_uscan._tcp.local').length, MAX_RECORDS);
});

it('forgets one instance (its PTR, SRV and TXT) as a goodbye would, and nothing of the others', () => {
  const cache = new RecordCache();
  const records = (instance: string): Answer[] => [
    ptr(instance, 120),
    { name: instance, type: 'SRV', ttl: 120, data: { port: 80, target: 'host.local' } },
    { name: instance, type: 'TXT', ttl: 120, data: [Buffer.from('rs=eSCL')] },
  ];
  cache.take([...records('Gone._uscan._tcp.local'), ...records('Here._uscan._tcp.local')], 1000);
  assert.equal(cache.find('PTR', '_uscan._tcp.local')[0]!.heardAt, 1000);
  assert.equal(cache.forget('GONE._uscan._tcp.local'), true);
  assert.equal(cache.forget('Gone._uscan._tcp.local'), false, 'nothing left to forget');
  assert.deepEqual(cache.find('PTR', '_uscan._tcp.local').map((r) => r.data), ['Here._uscan._tcp.local']);
  assert.deepEqual([cache.find('SRV', 'Gone._uscan._tcp.local'), cache.find('TXT', 'Gone._uscan._tcp.local')], [[], []]);
  assert.equal(cache.find('SRV', 'Here._uscan._tcp.local').length, 1);
});
