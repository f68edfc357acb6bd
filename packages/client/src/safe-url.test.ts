import { it } from 'node:test';
import assert from 'node:assert/strict';
import { loopbackUrl, webUrl } from './safe-url.js';

it('takes only http(s) URLs on loopback from an answer of the service', () => {
  for (const ok of ['http://127.0.0.1:18625/consent?request=ab', 'https://localhost:18626/consent', 'http://[::1]:18625/', 'http://127.0.0.2:1/']) {
    assert.equal(loopbackUrl(ok), new URL(ok).href, ok);
  }
  const refused = [
    'javascript:alert(1)',
    ' JavaScript:alert(1)',
    'javascript://127.0.0.1/%0aalert(1)',
    'data:text/html,<script>alert(1)</script>',
    'vbscript:msgbox(1)',
    'file:///etc/passwd',
    'ftp://127.0.0.1/',
    'http://evil.example/consent',
    'http://127.0.0.1.evil.example/',
    'http://localhost.evil.example/',
    'http://user:pw@127.0.0.1/',
    'http://evil.example@127.0.0.1/',
    '//127.0.0.1/consent',
    '/consent',
    '',
    `http://127.0.0.1/${'a'.repeat(3000)}`,
  ];
  for (const bad of refused) assert.equal(loopbackUrl(bad), null, bad);
  for (const value of [null, undefined, 42, {}, ['http://127.0.0.1/']]) assert.equal(loopbackUrl(value), null);
});

it('takes any http(s) URL without credentials for the install link', () => {
  assert.equal(webUrl('https://github.com/scanbridge/scanbridge#quick-start'), 'https://github.com/scanbridge/scanbridge#quick-start');
  for (const bad of ['javascript:alert(1)', 'data:,x', 'https://a:b@example.com/', 'example.com']) assert.equal(webUrl(bad), null, bad);
});
