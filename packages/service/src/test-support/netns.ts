/**
 * Tests: two network namespaces joined by a veth pair, a private LAN that no
 * packet leaves (mDNS between two processes without touching the machine's
 * network). Needs root and iproute2 (`ip`), as the tests run in CI.
 * Namespaces are named after the test process, so a run that was killed
 * before it could clean up is swept by the next one.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

const run = promisify(execFile);
const PREFIX = 'sbt-';

export interface NetnsSide {
  /** Namespace name, for `ip netns exec`. */
  ns: string;
  iface: string;
  v4: string;
  v6: string;
}

export interface NetnsPair {
  a: NetnsSide;
  b: NetnsSide;
  /** Start `node args...` inside a namespace. */
  spawnNode(side: NetnsSide, args: string[]): ChildProcess;
  destroy(): Promise<void>;
}

async function ip(...args: string[]): Promise<void> {
  await run('ip', args);
}

/** Namespaces left by test processes that are gone. */
async function sweep(): Promise<void> {
  const { stdout } = await run('ip', ['netns', 'list']);
  for (const ns of stdout.split('\n').map((l) => l.split(' ')[0] ?? '')) {
    const pid = Number(/^sbt-(\d+)-/.exec(ns)?.[1]);
    if (!pid) continue;
    try {
      process.kill(pid, 0);
    } catch {
      await ip('netns', 'del', ns).catch(() => undefined);
    }
  }
}

export async function createNetnsPair(): Promise<NetnsPair> {
  await sweep();
  const id = `${process.pid}-${randomBytes(2).toString('hex')}`;
  const net = 10 + (randomBytes(1)[0]! % 200);
  const side = (n: number): NetnsSide => ({ ns: `${PREFIX}${id}-${n}`, iface: `sbv${id.slice(-4)}${n}`, v4: `10.${net}.0.${n}`, v6: `fd5b:${net.toString(16)}::${n}` });
  const a = side(1);
  const b = side(2);
  const destroy = async () => {
    await ip('netns', 'del', a.ns).catch(() => undefined);
    await ip('netns', 'del', b.ns).catch(() => undefined);
  };
  try {
    await ip('netns', 'add', a.ns);
    await ip('netns', 'add', b.ns);
    await ip('link', 'add', a.iface, 'netns', a.ns, 'type', 'veth', 'peer', 'name', b.iface, 'netns', b.ns);
    for (const s of [a, b]) {
      await ip('-n', s.ns, 'link', 'set', 'lo', 'up');
      await ip('-n', s.ns, 'addr', 'add', `${s.v4}/24`, 'dev', s.iface);
      await ip('-n', s.ns, 'addr', 'add', `${s.v6}/64`, 'dev', s.iface, 'nodad');
      await ip('-n', s.ns, 'link', 'set', s.iface, 'up', 'multicast', 'on');
      // Multicast needs a route; there is no default route in an empty namespace.
      await ip('-n', s.ns, 'route', 'add', '224.0.0.0/4', 'dev', s.iface);
    }
  } catch (err) {
    await destroy();
    throw err;
  }
  return {
    a,
    b,
    spawnNode: (s, args) => spawn('ip', ['netns', 'exec', s.ns, process.execPath, ...args], { stdio: ['ignore', 'pipe', 'inherit'] }),
    destroy,
  };
}
