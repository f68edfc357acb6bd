/** The destination rule: the page's own origin, or under an administrator's prefix; HTTPS unless loopback. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ScanbridgeError } from '@scanbridge/protocol';
import { checkDestination, destinationPrefixes } from './destinations.js';

const refused = (url: string, caller: string, prefixes: string[], message: RegExp) =>
  assert.throws(
    () => checkDestination(url, caller, prefixes),
    (err: unknown) => err instanceof ScanbridgeError && err.code === 'destination-not-allowed' && message.test(err.message),
  );

describe('upload destinations', () => {
  it("lets a page upload to its own origin, and nowhere else unless listed", () => {
    assert.equal(checkDestination('https://app.example.com/api/scans?x=1', 'https://app.example.com', []).pathname, '/api/scans');
    refused('https://app.example.com:8443/api', 'https://app.example.com', [], /neither the page's own origin/);
    refused('https://evil.example.net/', 'https://app.example.com', [], /none listed/);
    refused('http://app.example.com/api', 'http://app.example.com', [], /needs HTTPS/);
    assert.ok(checkDestination('http://localhost:3000/up', 'http://localhost:3000', []));
  });

  it('matches prefixes by origin and path', () => {
    const prefixes = ['https://files.example.com/scans/'];
    assert.ok(checkDestination('https://files.example.com/scans/2024/a.pdf', 'local', prefixes));
    refused('https://files.example.com/other/a.pdf', 'local', prefixes, /UploadDestinations prefix/);
    refused('https://files.example.com.evil.net/scans/a.pdf', 'local', prefixes, /UploadDestinations prefix/);
    refused('https://user:pw@files.example.com/scans/a', 'local', prefixes, /credentials in the URL/);
  });

  it('reads the UploadDestinations setting, refusing clear text to other hosts', () => {
    const type = destinationPrefixes();
    assert.deepEqual(type.parse(' https://a.example.com/x/ ; http://127.0.0.1:9000 ;; https://a.example.com/x/'), { ok: true, value: ['https://a.example.com/x/', 'http://127.0.0.1:9000/'] });
    assert.equal(type.parse('http://a.example.com/').ok, false);
    assert.equal(type.parse('https://a.example.com/?q=1').ok, false);
    assert.deepEqual(type.parse(''), { ok: true, value: [] });
  });
});
