/**
 * Entry of a SANE worker process: loads libsane (or says why it cannot),
 * then serves one device (or one discovery) for the service.
 *   node sane-worker-main.js <library or ''> <device id, or discovery>
 * (the second argument only names the worker in process lists)
 */
import { ScanbridgeError } from '@scanbridge/protocol/core';
import { serveWorker } from '../../supervisor/worker-host.js';
import { acquire } from './acquire.js';
import { SaneHandle } from './sane-handle.js';
import { loadSane, type SaneLibrary } from './sane-library.js';
import { statusError } from './sane-status.js';
import { SANE_WORKER_METHODS } from './sane-worker-methods.js';

let sane: SaneLibrary | null = null;
let handle: SaneHandle | null = null;
/** The scan in progress: its read may be running on a koffi thread, which must end before the handle is closed. */
let scanning: Promise<unknown> = Promise.resolve();

function opened(): SaneHandle {
  if (!handle) throw new ScanbridgeError('internal-error', 'the SANE worker has no open device; call open first');
  return handle;
}

serveWorker({
  methods: SANE_WORKER_METHODS,
  async init() {
    sane = await loadSane(process.argv[2] ?? '');
    return { version: sane.version, library: sane.path };
  },
  handlers: {
    async list() {
      const { status, devices } = await sane!.getDevices();
      if (status !== 0) throw statusError(status, { device: 'SANE', call: 'sane_get_devices' });
      return { devices: devices.filter((d) => d.name) };
    },
    async open({ name, device }) {
      if (handle) throw new ScanbridgeError('internal-error', `the SANE worker already has ${handle.device} open`);
      handle = await SaneHandle.open(sane!, name, device);
      return { options: handle.options() };
    },
    async options() {
      return { options: opened().options() };
    },
    async apply({ assignments }) {
      const device = opened();
      device.apply(assignments);
      return { options: device.options() };
    },
    scan: (params, ctx) => {
      const run = acquire(opened(), params, ctx);
      scanning = run.catch(() => undefined);
      return run;
    },
  },
  async shutdown() {
    if (handle) {
      handle.cancel();
      // sane_cancel ends a blocked read; the host's shutdown limit covers a driver that ignores it.
      await scanning;
      handle.close();
      handle = null;
    }
    sane?.exit();
  },
});
