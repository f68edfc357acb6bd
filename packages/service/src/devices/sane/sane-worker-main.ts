/**
 * Entry of a SANE worker process: loads libsane (or says why it cannot),
 * then serves one device (or one discovery) for the service.
 *   node sane-worker-main.js <library or ''> <device id, or discovery>
 * (the second argument only names the worker in process lists)
 */
import { ScanbridgeError } from '@scanbridge/protocol';
import { serveWorker } from '../../supervisor/worker-host.js';
import { acquire } from './acquire.js';
import { SaneHandle } from './sane-handle.js';
import { loadSane, type SaneLibrary } from './sane-library.js';
import { statusError } from './sane-status.js';
import { SANE_WORKER_METHODS } from './sane-worker-methods.js';

let sane: SaneLibrary | null = null;
let handle: SaneHandle | null = null;

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
    scan: (params, ctx) => acquire(opened(), params, ctx),
  },
  async shutdown() {
    if (handle) {
      handle.cancel();
      handle.close();
      handle = null;
    }
    sane?.exit();
  },
});
