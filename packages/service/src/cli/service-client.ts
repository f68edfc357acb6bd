/**
 * How CLI commands talk to the running service: port.lock in the service
 * folder says where it listens; calls go over loopback HTTP like any client.
 */
import path from 'node:path';
import { ScanbridgeError, TOKEN_HEADER, type MethodName, type ParamsOf, type ResultOf, type ResponseEnvelope } from '@scanbridge/protocol';
import { liveLock, type LockInfo } from '../util/port-lock.js';
import { readAdminToken } from '../security/admin-token.js';

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
    let res: Response;
    try {
      res = await fetch(`${this.base}/${scope}/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(this.token ? { [TOKEN_HEADER]: this.token } : {}) },
        body: JSON.stringify({ ...(this.session ? { id: this.session } : {}), params, cmdId: '' }),
      });
    } catch (err) {
      throw new Error(`cannot reach scanbridge at ${this.base}: ${(err as Error).message}`);
    }
    const body = (await res.json()) as ResponseEnvelope;
    if ('error' in body) throw ScanbridgeError.fromWire(body.error);
    return body.result as ResultOf<M>;
  }
}
