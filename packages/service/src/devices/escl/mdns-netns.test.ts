/**
 * mDNS between two processes on a private LAN (two network namespaces and a
 * veth pair the test creates; nothing leaves them): our advertiser in one,
 * our directory, a raw multicast-dns query and avahi-browse in the other.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createNetnsPair, type NetnsPair } from '../../test-support/netns.js';
import { BIN, startChild, tempHome, tokenFor } from '../../test-support/service-harness.js';
import type { AdvertisedScanner } from '../../escl-server/advertise.js';
import type { EsclEndpoint } from './endpoints.js';

const FIXTURE = fileURLToPath(new URL('./mdns-peer.fixture.js', import.meta.url));
const UUID = '4509a320-00a0-008f-00b6-002507510eca';
const scanner = (over: Partial<AdvertisedScanner>): AdvertisedScanner => ({
  name: 'Desk scanner', port: 8080, tls: false, path: '/eSCL', uuid: UUID,
  formats: ['image/jpeg', 'image/png', 'application/pdf'], colorSpaces: ['color', 'grayscale'], sources: ['platen', 'adf'], duplex: true, ...over,
});

/**
 * JSON lines a child prints, read in order: `next(ok)` skips lines until one
 * for which `ok` holds (waiting for more as needed) and answers it; `last()`
 * is the latest line.
 */
function lines(child: ChildProcess): { next: (ok: (value: unknown) => boolean) => Promise<unknown>; last: () => unknown } {
  const seen: unknown[] = [];
  let cursor = 0;
  let wake: (() => void) | null = null;
  createInterface({ input: child.stdout! }).on('line', (line) => {
    seen.push(JSON.parse(line));
    wake?.();
  });
  return {
    async next(ok) {
      for (;;) {
        while (cursor < seen.length) {
          const value = seen[cursor++];
          if (ok(value)) return value;
        }
        await new Promise<void>((resolve) => (wake = resolve));
      }
    },
    last: () => seen.at(-1),
  };
}

/**
 * avahi-browse, an independent mDNS browser, in namespace b: it needs an
 * avahi-daemon and a system bus, so both run in a private /run of a mount
 * namespace of their own (nothing of the machine's is touched) and are
 * stopped when the browse is done.
 */
const AVAHI_BROWSE = `set -e
mount --make-rprivate /
mount -t tmpfs tmpfs /run
mkdir -p /run/dbus /run/avahi-daemon
dbus-daemon --system --fork
trap 'avahi-daemon -k 2>/dev/null; kill $(cat /run/dbus/pid) 2>/dev/null' EXIT
avahi-daemon --no-drop-root --no-chroot --no-rlimits -D
until avahi-daemon -c; do sleep 0.2; done
avahi-browse --resolve --parsable --terminate "$1"`;

const exited = (child: ChildProcess) => new Promise<number | null>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code))));

describe('eSCL over mDNS between two network namespaces', () => {
  let pair: NetnsPair;
  let dir: string;
  const children: ChildProcess[] = [];
  const start = (side: 'a' | 'b', args: string[]) => {
    const child = pair.spawnNode(pair[side], [FIXTURE, ...args]);
    children.push(child);
    return child;
  };

  before(async () => {
    pair = await createNetnsPair();
    dir = await mkdtemp(path.join(tmpdir(), 'sb-mdns-'));
  });
  after(async () => {
    try {
      for (const c of children) c.kill('SIGKILL');
      await Promise.all(children.map(exited));
    } finally {
      await pair?.destroy();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a raw multicast-dns query gets the PTR, SRV, TXT keys clients read and both address families', async () => {
    const advertiser = start('a', ['advertise', JSON.stringify([scanner({ name: 'Raw. query scanner' })]), '120']);
    await lines(advertiser).next((v) => v === 'advertising');
    const answer = (await lines(start('b', ['query', '_uscan._tcp'])).next(() => true)) as { answers: { type: string; data: unknown }[]; additionals: { name: string; type: string; data: unknown }[] };
    const ptr = answer.answers.find((a) => a.type === 'PTR');
    assert.equal(ptr?.data, 'Raw- query scanner._uscan._tcp.local', 'a dot in the name is replaced, not split into labels');
    const srv = answer.additionals.find((a) => a.type === 'SRV')?.data as { port: number; target: string };
    assert.deepEqual(srv, { priority: 0, weight: 0, port: 8080, target: 'sb-test-host.local' });
    const txtRecord = answer.additionals.find((a) => a.type === 'TXT')?.data as { data: number[] }[];
    const txt = Object.fromEntries(txtRecord.map((b) => Buffer.from(b.data).toString().split(/=(.*)/s).slice(0, 2)));
    assert.deepEqual(txt, {
      txtvers: '1', Vers: '2.63', rs: 'eSCL', ty: 'Raw. query scanner', pdl: 'image/jpeg,image/png,application/pdf', uuid: UUID,
      cs: 'color,grayscale', is: 'platen,adf', duplex: 'T', adminurl: 'http://sb-test-host.local:8080/',
    });
    const addresses = answer.additionals.filter((a) => a.type === 'A' || a.type === 'AAAA').map((a) => a.data);
    assert.ok(addresses.includes(pair.a.v4), `A ${pair.a.v4} in ${addresses.join(', ')}`);
    assert.ok(addresses.includes(pair.a.v6), `AAAA ${pair.a.v6} in ${addresses.join(', ')}`);
    advertiser.kill('SIGTERM');
    assert.equal(await exited(advertiser), 0);
  });

  it('avahi-browse resolves the advertised scanner with its address, port and TXT keys', async () => {
    const advertiser = start('a', ['advertise', JSON.stringify([scanner({ name: 'Avahi sees me', port: 9090 })]), '120']);
    await lines(advertiser).next((v) => v === 'advertising');
    const { stdout } = await promisify(execFile)('ip', ['netns', 'exec', pair.b.ns, 'unshare', '--mount', 'sh', '-c', AVAHI_BROWSE, 'avahi', '_uscan._tcp']);
    // =;iface;IPv4;name;type;domain;host;address;port;"txt" "txt"... (spaces in names as \032)
    const resolved = stdout.split('\n').filter((l) => l.startsWith('=') && l.includes(';IPv4;')).map((l) => l.split(';'));
    assert.equal(resolved.length, 1, stdout);
    const [, , , name, type, domain, host, address, port, txt] = resolved[0]!;
    assert.deepEqual([name, type, domain, host, address, port], ['Avahi\\032sees\\032me', '_uscan._tcp', 'local', 'sb-test-host.local', pair.a.v4, '9090']);
    const keys = Object.fromEntries([...txt!.matchAll(/"([^"=]+)=([^"]*)"/g)].map((m) => [m[1], m[2]]));
    assert.deepEqual(keys, {
      txtvers: '1', Vers: '2.63', rs: 'eSCL', ty: 'Avahi sees me', pdl: 'image/jpeg,image/png,application/pdf', uuid: UUID,
      cs: 'color,grayscale', is: 'platen,adf', duplex: 'T', adminurl: 'http://sb-test-host.local:9090/',
    });
    advertiser.kill('SIGTERM');
    assert.equal(await exited(advertiser), 0);
  });

  it('finds a scanner, prefers its https service, and drops it at once on goodbye', async () => {
    const browser = lines(start('b', ['browse', path.join(dir, 'user-1.json')]));
    await browser.next((v) => Array.isArray(v) && v.length === 0);
    const advertiser = start('a', ['advertise', JSON.stringify([scanner({}), scanner({ port: 8443, tls: true })]), '120']);
    const found = (await browser.next((v) => Array.isArray(v) && v.some((e: EsclEndpoint) => e.url.startsWith('https:')))) as EsclEndpoint[];
    assert.deepEqual(found.map((e) => [e.url, e.name, e.uuid, e.source]), [[`https://${pair.a.v4}:8443/eSCL`, 'Desk scanner', UUID, 'mdns']], 'one endpoint per uuid: the https one');
    assert.equal(found[0]!.txt['ty'], 'Desk scanner');
    advertiser.kill('SIGTERM');
    // Records live 120 s: only the goodbye can empty the list before the test runner's guard ends the test.
    await browser.next((v) => Array.isArray(v) && v.length === 0);
    assert.equal(await exited(advertiser), 0);
  });

  it("a service sharing the demo scanner (EsclServer) is found from the other namespace, its capabilities read at the URL found, and gone on its stop", async () => {
    const home = await tempHome();
    const svc = await startChild(home, ['--escl-server', 'on', '--escl-share', 'demo:scanner', '--escl-port', '0', '--escl-discovery', 'off', '--sane-scanners', 'off'], {}, ['ip', 'netns', 'exec', pair.a.ns, process.execPath, BIN]);
    try {
      const browser = lines(start('b', ['browse', path.join(dir, 'user-3.json')]));
      const found = ((await browser.next((v) => Array.isArray(v) && v.length > 0)) as EsclEndpoint[])[0]!;
      assert.match(found.url, new RegExp(`^http://${pair.a.v4.replace(/\./g, '\\.')}:\\d+/eSCL$`));
      assert.equal(found.source, 'mdns');
      assert.match(found.uuid ?? '', /^[0-9a-f-]{36}$/);
      assert.equal(found.txt['rs'], 'eSCL');
      const caps = (await lines(start('b', ['get', `${found.url}/ScannerCapabilities`])).next(() => true)) as { status: number; body: string };
      assert.equal(caps.status, 200);
      assert.ok(caps.body.includes(found.uuid!), 'the capabilities name the uuid the advertisement gave');
      assert.equal(await svc.stop(), 0);
      await browser.next((v) => Array.isArray(v) && v.length === 0);
    } finally {
      await svc.kill9().catch(() => undefined);
      await rm(home, { recursive: true, force: true });
    }
  });

  it('a service with EsclDiscovery on browses once it is ready: an advertised scanner reaches its ListDevices', async () => {
    const home = await tempHome();
    const svc = await startChild(home, ['--escl-discovery', 'on', '--sane-scanners', 'off', '--cameras', 'off'], {}, ['ip', 'netns', 'exec', pair.b.ns, process.execPath, BIN]);
    try {
      const devices = lines(start('b', ['service-devices', svc.base, tokenFor(svc.base)!]));
      const advertiser = start('a', ['advertise', JSON.stringify([scanner({ name: 'Seen by the service' })]), '120']);
      await devices.next((v) => Array.isArray(v) && v.includes(`escl:${UUID}`));
      advertiser.kill('SIGTERM');
      await devices.next((v) => Array.isArray(v) && !v.includes(`escl:${UUID}`));
      assert.equal(await exited(advertiser), 0);
    } finally {
      await svc.stop();
      await rm(home, { recursive: true, force: true });
    }
  });

  it('ListDevices with refresh asks the network again: a scanner gone without a goodbye leaves at once, through the devices event; one that answers stays', async () => {
    const manager = start('b', ['devices', path.join(dir, 'user-4.json')]);
    const devices = lines(manager);
    const names = (v: unknown) => (v as { event?: string[]; refreshed?: string[] });
    const unplugged = start('a', ['advertise', JSON.stringify([scanner({ name: 'Unplugged', uuid: '0f1e2d3c-0000-4000-8000-00000000000a', port: 8081 })]), '120']);
    const stays = start('a', ['advertise', JSON.stringify([scanner({ name: 'Still here', uuid: '0f1e2d3c-0000-4000-8000-00000000000b', port: 8082 })]), '120']);
    await devices.next((v) => JSON.stringify(names(v).event) === JSON.stringify(['Still here', 'Unplugged']));
    // Switched off at the plug: no goodbye, and its records would live 120 s more.
    unplugged.kill('SIGKILL');
    await exited(unplugged);
    const events: string[][] = [];
    manager.kill('SIGUSR2');
    const refreshed = names(await devices.next((v) => {
      if (names(v).event) events.push(names(v).event!);
      return names(v).refreshed !== undefined;
    }));
    assert.deepEqual(refreshed.refreshed, ['Still here']);
    assert.deepEqual(events.at(-1), ['Still here'], 'pages are told by the usual devices event');
    stays.kill('SIGTERM');
    assert.equal(await exited(stays), 0);
  });

  it('a change of this machine\'s network asks again and drops a scanner gone without a goodbye, long before its records expire', async () => {
    const browser = lines(start('b', ['browse', path.join(dir, 'user-5.json')]));
    const advertiser = start('a', ['advertise', JSON.stringify([scanner({ name: 'Left behind' })]), '4500']);
    const seen = (v: unknown) => Array.isArray(v) && v.some((e: EsclEndpoint) => e.name === 'Left behind');
    await browser.next(seen);
    advertiser.kill('SIGKILL');
    await exited(advertiser);
    // Another network (here: an address more) on the browsing side; records of 4500 s would outlive the test runner's guard.
    const address = (action: 'add' | 'del') => promisify(execFile)('ip', ['-n', pair.b.ns, 'addr', action, '192.168.77.2/24', 'dev', pair.b.iface]);
    await address('add');
    try {
      await browser.next((v) => Array.isArray(v) && !seen(v));
    } finally {
      await address('del');
    }
  });

  it('drops a scanner whose network went away (no goodbye) when its records expire', async () => {
    const browser = lines(start('b', ['browse', path.join(dir, 'user-2.json')]));
    const advertiser = start('a', ['advertise', JSON.stringify([scanner({ name: 'Short-lived' })]), '3']);
    const seen = (v: unknown) => Array.isArray(v) && v.some((e: EsclEndpoint) => e.name === 'Short-lived');
    await browser.next(seen);
    // Several TTLs later it is still there: asking again before expiry keeps it.
    await new Promise((resolve) => setTimeout(resolve, 7000));
    assert.ok(seen(browser.last()), `still listed: ${JSON.stringify(browser.last())}`);
    await promisify(execFile)('ip', ['-n', pair.a.ns, 'link', 'set', pair.a.iface, 'down']);
    await browser.next((v) => Array.isArray(v) && !seen(v));
    advertiser.kill('SIGKILL');
    await promisify(execFile)('ip', ['-n', pair.a.ns, 'link', 'set', pair.a.iface, 'up']);
  });
});
