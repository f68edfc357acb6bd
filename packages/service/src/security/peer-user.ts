/**
 * Which user account opened a loopback connection. scanbridge runs for one
 * user and serves only that user's programs: on a machine several people use
 * at once (a terminal server), another person's browser must not reach this
 * user's scanner or pages, whatever origin it claims.
 *
 * On Linux the kernel's socket table (/proc/net/tcp and tcp6) names the owner
 * of the client's end of every connection. Node has no SO_PEERCRED for TCP
 * sockets and no library reads this table, so it is parsed here. Elsewhere
 * the owner is unknown and the check is skipped (macOS and Windows sessions
 * on one machine are the rarer case; noted in the README).
 */
import { access, readFile } from 'node:fs/promises';
import { constants } from 'node:fs';
import type { Socket } from 'node:net';

const TABLES = ['/proc/net/tcp', '/proc/net/tcp6'];

/** The bytes of an IPv4 or IPv6 address as text (`127.0.0.1`, `::1`, `::ffff:127.0.0.1`). */
export function addressBytes(address: string): number[] | null {
  if (/^\d+\.\d+\.\d+\.\d+$/.test(address)) {
    const parts = address.split('.').map(Number);
    return parts.every((p) => p <= 255) ? parts : null;
  }
  if (!address.includes(':')) return null;
  let text = address;
  let tail: number[] = [];
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    tail = addressBytes(v4[1]!) ?? [];
    text = `${text.slice(0, -v4[1]!.length)}0:0`;
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const groups = (s: string | undefined) => (s ? s.split(':').filter(Boolean).map((g) => parseInt(g, 16)) : []);
  const front = groups(head);
  const back = groups(rest);
  const words = rest === undefined ? front : [...front, ...new Array<number>(8 - front.length - back.length).fill(0), ...back];
  if (words.length !== 8 || words.some((w) => !(w >= 0 && w <= 0xffff))) return null;
  const bytes = words.flatMap((w) => [w >> 8, w & 0xff]);
  if (tail.length) bytes.splice(12, 4, ...tail);
  return bytes;
}

/**
 * An address and port as the kernel prints them in /proc/net/tcp*: each
 * 32-bit word of the address in the machine's byte order (little-endian on
 * every Linux machine scanbridge ships for), then the port in hex.
 */
export function procEndpoint(address: string, port: number): string[] {
  const bytes = addressBytes(address);
  if (!bytes) return [];
  const words = (b: number[]) => {
    let out = '';
    for (let i = 0; i < b.length; i += 4) out += b.slice(i, i + 4).reverse().map((x) => x.toString(16).padStart(2, '0')).join('');
    return out.toUpperCase();
  };
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  // An IPv4 peer of a dual-stack socket appears in tcp6 as ::ffff:a.b.c.d, and the reverse.
  const forms = bytes.length === 4 ? [bytes, [...new Array<number>(10).fill(0), 0xff, 0xff, ...bytes]] : [bytes];
  if (bytes.length === 16 && bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) forms.push(bytes.slice(12));
  return forms.map((b) => `${words(b)}:${hexPort}`);
}

/**
 * Reading the tables costs time in the kernel for every row of the machine
 * (~0.1 s for a few thousand), so reads never overlap and each serves every
 * lookup asked for before it starts: a burst of connections costs one or two
 * reads, not one each. A read starts after its askers' connections were
 * accepted, so it holds their rows.
 */
let reading: Promise<Map<string, number>> | null = null;
let queued: Promise<Map<string, number>> | null = null;

function freshTables(): Promise<Map<string, number>> {
  if (queued) return queued;
  const start = () => {
    queued = null;
    const read = readTables();
    reading = read;
    void read.finally(() => {
      if (reading === read) reading = null;
    });
    return read;
  };
  const current = reading;
  // Lookups asked for in the same turn of the event loop share the next read.
  queued = current ? current.then(start) : new Promise((resolve) => setImmediate(() => resolve(start())));
  return queued;
}

/** Every connection of the machine: "client server" (as in the tables) to the uid of the client end. */
async function readTables(): Promise<Map<string, number>> {
  const texts = await Promise.all(TABLES.map((table) => readFile(table, 'utf8').catch(() => '')));
  const rows = new Map<string, number>();
  for (const line of texts.join('\n').split('\n')) {
    // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
    const fields = line.trim().split(/\s+/);
    // A closed connection in TIME_WAIT (inode 0, uid 0) may share the addresses of a new one on loopback.
    if (fields.length > 9 && fields[9] !== '0' && /^\d+$/.test(fields[7]!)) rows.set(`${fields[1]} ${fields[2]}`, Number(fields[7]));
  }
  return rows;
}

/** The uid owning the client end of `socket` (a connection this process accepted), or null when the table does not say. */
export async function peerUid(socket: Pick<Socket, 'remoteAddress' | 'remotePort' | 'localAddress' | 'localPort'>): Promise<number | null> {
  const { remoteAddress, remotePort, localAddress, localPort } = socket;
  if (!remoteAddress || !remotePort || !localAddress || !localPort) return null;
  const clients = procEndpoint(remoteAddress, remotePort);
  const servers = procEndpoint(localAddress, localPort);
  // The kernel writes the table a page at a time and resumes by position, so
  // a read while many connections open and close can skip rows: look again.
  for (let attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
    const rows = await freshTables();
    for (const client of clients) {
      for (const server of servers) {
        const uid = rows.get(`${client} ${server}`);
        if (uid !== undefined) return uid;
      }
    }
  }
  return null;
}

const READ_ATTEMPTS = 5;

/** Whether this system has a socket table to read (Linux with /proc). Asked at start: the table is not read (that costs as much as a lookup). */
export async function canCheckPeers(): Promise<boolean> {
  return process.platform === 'linux' && (await access(TABLES[0]!, constants.R_OK).then(() => true, () => false));
}
