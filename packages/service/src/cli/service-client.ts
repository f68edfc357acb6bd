/**
 * How CLI commands talk to the running service: port.lock in the service
 * folder says where it listens; calls go over loopback HTTP like any client.
 */
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { MethodName, ParamsOf, ResultOf, ResponseEnvelope, TOKEN_HEADER as TokenHeader, WireError } from '@scanbridge/protocol';
import { liveLock, type LockInfo } from '../util/port-lock.js';
import { readAdminToken } from '../security/admin-token.js';

// The protocol's module builds every schema when loaded (half of `scanbridge
// status`'s CPU time): commands that only call the service load it when an
// error has to be built. The header name is checked against the protocol's by
// its type.
const TOKEN_HEADER: typeof TokenHeader = 'x-scanbridge-token';
const wireError = async (wire: WireError) => (await import('@scanbridge/protocol')).ScanbridgeError.fromWire(wire);

export class ServiceNotRunningError extends Error {
  constructor(home: string) {
    super(`scanbridge is not running on ${home}; start it with \`scanbridge run\``);
    this.name = 'ServiceNotRunningError';
  }
}

export class ServiceClient {
  private session: string | undefined;

  constructor(
    readonly base: string,
    /** The administrator token: the CLI calls as the local user. */
    private readonly token: string | null,
  ) {}

  static async fromLock(lockFile: string, home: string): Promise<{ client: ServiceClient; lock: Partial<LockInfo> }> {
    const lock = await liveLock(lockFile);
    if (!lock?.ports?.http) throw new ServiceNotRunningError(home);
    const token = await readAdminToken(path.join(home, 'cert'));
    return { client: new ServiceClient(`http://127.0.0.1:${lock.ports.http}`, token), lock };
  }

  useSession(id: string): void {
    this.session = id;
  }

  async call<M extends MethodName>(method: M, params: ParamsOf<M>, scope: 'fa' | 'f'): Promise<ResultOf<M>> {
    const body = (await (await this.post(method, params, scope)).json()) as ResponseEnvelope;
    if ('error' in body) throw await wireError(body.error);
    return body.result as ResultOf<M>;
  }

  /** The session's event socket, open (ws is loaded only by commands that want events). */
  async events(): Promise<import('ws').WebSocket> {
    const { WebSocket } = await import('ws');
    const url = `${this.base.replace(/^http/, 'ws')}/ws?id=${encodeURIComponent(this.session ?? '')}`;
    const socket = new WebSocket(url, { headers: this.token ? { [TOKEN_HEADER]: this.token } : {} });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return socket;
  }

  /** SaveImages streamed into `file` (one file: a PDF or TIFF of several pages, or one page), never whole in memory. */
  async saveTo(params: Omit<ParamsOf<'SaveImages'>, 'binary' | 'folder'>, file: string): Promise<void> {
    const res = await this.post('SaveImages', { ...params, binary: true }, 'f');
    if (!res.ok || !res.body) {
      const body = (await res.json()) as ResponseEnvelope;
      throw 'error' in body ? await wireError(body.error) : new Error(`SaveImages answered ${res.status}`);
    }
    try {
      // A failure half-way ends the response early: the half-written file goes.
      await pipeline(Readable.fromWeb(res.body as WebReadableStream<Uint8Array>), createWriteStream(file));
    } catch (err) {
      await rm(file, { force: true });
      throw new Error(`saving ${file} failed half-way: ${(err as Error).message}`);
    }
  }

  private async post(method: MethodName, params: unknown, scope: 'fa' | 'f'): Promise<Response> {
    try {
      return await fetch(`${this.base}/${scope}/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(this.token ? { [TOKEN_HEADER]: this.token } : {}) },
        body: JSON.stringify({ ...(this.session ? { id: this.session } : {}), params, cmdId: '' }),
      });
    } catch (err) {
      throw new Error(`cannot reach scanbridge at ${this.base}: ${(err as Error).message}`);
    }
  }
}
