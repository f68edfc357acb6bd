/**
 * A stable uuid per shared scanner, kept in the service folder
 * (escl-uuids.json): clients remember a scanner by its uuid, so it must not
 * change when the service restarts or the scanner moves to another address.
 */
import { randomUUID } from 'node:crypto';
import { readJson, writeJson } from '../devices/escl/json-file.js';

let queue: Promise<unknown> = Promise.resolve();

/** The uuid of the shared device `deviceId` (e.g. `sane:test:0`), made and kept on first use. */
export function scannerUuid(file: string, deviceId: string): Promise<string> {
  // One at a time: scanners shared together must not overwrite each other's new uuid.
  const next = queue.then(() => readOrMake(file, deviceId));
  queue = next.catch(() => undefined);
  return next;
}

async function readOrMake(file: string, deviceId: string): Promise<string> {
  const uuids = await readJson<Record<string, string>>(file, {});
  const known = uuids[deviceId];
  if (typeof known === 'string' && /^[0-9a-f-]{36}$/.test(known)) return known;
  const uuid = randomUUID();
  await writeJson(file, { ...uuids, [deviceId]: uuid });
  return uuid;
}
