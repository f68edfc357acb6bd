import { it } from 'node:test';
import assert from 'node:assert/strict';
import { VERSION_CODE, VERSION_INFO } from '@scanbridge/service/dist/version.js';
import { imageUrl, versionCode } from './image-url.js';

it('builds the seed image URL by index or by page id', () => {
  const base = { base: 'http://127.0.0.1:18622', versionCode: '16100728', session: 'abc' };
  assert.equal(imageUrl({ ...base, page: 5, width: 585, height: 513, ticks: 1603162807999 }), 'http://127.0.0.1:18622/dwt/dwt_16100728/img?id=abc&index=5&width=585&height=513&ticks=1603162807999');
  assert.equal(imageUrl({ ...base, page: 'p 1&x', width: 100.4, height: 0.2 }), 'http://127.0.0.1:18622/dwt/dwt_16100728/img?id=abc&page=p+1%26x&width=100&height=1&ticks=0');
  assert.equal(imageUrl({ ...base, page: 0, width: 1, height: 1, exp: 99, sig: 's-_1' }), 'http://127.0.0.1:18622/dwt/dwt_16100728/img?id=abc&index=0&width=1&height=1&ticks=0&exp=99&sig=s-_1');
});

it('derives the version code from VersionInfo as the service does', () => {
  assert.equal(versionCode('2, 3, 4, 0056'), '23040056');
  assert.equal(versionCode(VERSION_INFO), VERSION_CODE);
});
