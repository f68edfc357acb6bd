import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError } from './errors.js';
import { parseIni } from './ini.js';
import { closest } from './suggest.js';

const file = '/home/u/.local/share/scanbridge/scanbridge.ini';
const keys = ['HttpPort', 'HttpsPort', 'CacheDir', 'LogLevel'];
const parse = (text: string) => parseIni(text, { file, keys });

describe('parseIni', () => {
  test('reads Key = Value lines with comments, blank lines and the [scanbridge] section', () => {
    const text = ['; a comment', '# another', ';', '', '[scanbridge]', '  HttpPort   =  8080  ', 'LogLevel=debug'].join('\n');
    assert.deepEqual(parse(text), [
      { key: 'HttpPort', value: '8080', line: 6 },
      { key: 'LogLevel', value: 'debug', line: 7 },
    ]);
  });

  test('removes double quotes without interpreting backslashes', () => {
    assert.deepEqual(parse('CacheDir = "C:\\Scan Cache\\"'), [{ key: 'CacheDir', value: 'C:\\Scan Cache\\', line: 1 }]);
    assert.deepEqual(parse('CacheDir = ""'), [{ key: 'CacheDir', value: '', line: 1 }]);
    assert.deepEqual(parse('CacheDir ='), [{ key: 'CacheDir', value: '', line: 1 }]);
  });

  test('accepts CRLF line ends and a byte order mark', () => {
    assert.deepEqual(parse('\uFEFF; saved by Notepad\r\nHttpPort = 1\r\n'), [{ key: 'HttpPort', value: '1', line: 2 }]);
  });

  test('an unknown key is an error with a suggestion', () => {
    assert.throws(() => parse('\n\nHttpProt = 1'), {
      name: 'ConfigError',
      message: `${file}:3: unknown key "HttpProt" (did you mean "HttpPort"?)`,
      file,
      line: 3,
      key: 'HttpProt',
    });
    assert.throws(() => parse('httpport = 1'), { message: `${file}:1: unknown key "httpport" (did you mean "HttpPort"?)` });
    assert.throws(() => parse('Colour = red'), { message: `${file}:1: unknown key "Colour"`, key: 'Colour' });
  });

  test('a file with no keys says so', () => {
    assert.throws(() => parseIni('; header\nFoo = 1', { file: '/h/user.ini', keys: [] }), {
      message: '/h/user.ini:2: unknown key "Foo" (this file defines no keys)',
    });
  });

  test('a malformed line is an error quoting it', () => {
    assert.throws(() => parse('HttpPort = 1\n\n\n\n\n\nfoo'), {
      message: `${file}:7: malformed line (expected Key = Value): "foo"`,
      line: 7,
      key: undefined,
    });
    assert.throws(() => parse('= 5'), { message: `${file}:1: malformed line (expected Key = Value): "= 5"` });
    assert.throws(() => parse('Http Port = 5'), { message: `${file}:1: malformed line (expected Key = Value): "Http Port = 5"` });
  });

  test('a duplicate key is an error naming both lines', () => {
    assert.throws(() => parse('HttpPort = 1\nHttpPort = 2'), {
      message: `${file}:2: duplicate key "HttpPort" (first set on line 1)`,
      line: 2,
      key: 'HttpPort',
    });
  });

  test('any section other than [scanbridge] is an error', () => {
    assert.throws(() => parse('[server]\nHttpPort = 1'), {
      message: `${file}:1: unknown section "[server]" (only [scanbridge] is allowed)`,
    });
  });

  test('an unterminated quote is an error', () => {
    assert.throws(() => parse('CacheDir = "C:\\x'), {
      message: `${file}:1: unterminated quoted value for CacheDir: "C:\\x`,
      key: 'CacheDir',
    });
  });

  test('errors are ConfigError instances', () => {
    assert.throws(() => parse('foo'), (error: unknown) => error instanceof ConfigError && error instanceof Error);
  });
});

describe('closest', () => {
  test('suggests near misses only', () => {
    assert.equal(closest('HttpProt', keys), 'HttpPort');
    assert.equal(closest('HttpsPrt', keys), 'HttpsPort');
    assert.equal(closest('logleve', keys), 'LogLevel');
    assert.equal(closest('Colour', keys), undefined);
  });
});
