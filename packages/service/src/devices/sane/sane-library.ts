/**
 * libsane through koffi (FFI without a compiler at install time). Loaded only
 * in SANE worker processes: the service's own process never calls into a
 * scanner driver. Calls that can wait on hardware (get_devices, open, start,
 * read) run on koffi's threads, so that the worker's event loop stays free
 * while a driver blocks: a page already read is still encoded and handed to
 * the service, and a cancel still reaches sane_cancel. (A read costs tens of
 * microseconds more so: page data is read on a thread of its own that loops
 * over synchronous reads, read-thread.ts.)
 */
import { ScanbridgeError } from '@scanbridge/protocol/core';
import type { IKoffiLib } from 'koffi';
import { type FillResult, ReadThread } from './read-thread.js';

type Koffi = typeof import('koffi');
type NativeFunction = ReturnType<IKoffiLib['func']>;

export interface FrameParameters {
  /** 0 GRAY, 1 RGB, 2 RED, 3 GREEN, 4 BLUE. */
  format: number;
  lastFrame: boolean;
  bytesPerLine: number;
  pixelsPerLine: number;
  /** -1 when the height is not known in advance (hand scanners, some feeders). */
  lines: number;
  depth: number;
}

export interface RawDescriptor {
  name: string;
  title: string;
  desc: string;
  type: number;
  unit: number;
  size: number;
  cap: number;
  constraintType: number;
  constraint: unknown;
}

/** The libsane entry points, typed, with pointers decoded into plain values. */
export interface SaneLibrary {
  /** The file that was loaded. */
  readonly path: string;
  /** Version of the SANE implementation, e.g. "1.2.1". */
  readonly version: string;
  getDevices(): Promise<{ status: number; devices: { name: string; vendor: string; model: string; type: string }[] }>;
  open(name: string): Promise<{ status: number; handle: unknown }>;
  close(handle: unknown): void;
  descriptor(handle: unknown, index: number): RawDescriptor | null;
  /** action 0 get, 1 set, 2 auto; `value` is read or written in place. */
  control(handle: unknown, index: number, action: number, value: Buffer | null): { status: number; info: number };
  parameters(handle: unknown): { status: number; parameters: FrameParameters };
  start(handle: unknown): Promise<number>;
  /**
   * Off the event loop (a driver may block in a read for as long as the
   * device takes, or hang): sane_read into `into` until it is full, the
   * status is not GOOD, or `budgetMs` (FILL_MS) passed with data in hand (read-thread.ts);
   * one sane_read when `into` is not shared memory or the read thread is not
   * running. `length` counts the bytes read before a status other than GOOD.
   */
  fill(handle: unknown, into: Buffer, budgetMs?: number): Promise<FillResult>;
  /** Starts the read thread fills use; resolves when it is ready (or could not start: fills then read one at a time). */
  prepareReads(): Promise<void>;
  cancel(handle: unknown): void;
  exit(): void;
  /** Decode a constraint pointer: range, word list or string list. */
  range(pointer: unknown): { min: number; max: number; quant: number };
  wordList(pointer: unknown): number[];
  stringList(pointer: unknown): string[];
}

/** The library a platform ships libsane as. */
export function defaultLibrary(platform: NodeJS.Platform = process.platform): string | null {
  if (platform === 'darwin') return 'libsane.1.dylib';
  if (platform === 'win32') return null;
  return 'libsane.so.1';
}

export function installHint(platform: NodeJS.Platform = process.platform): string {
  if (platform === 'darwin') return 'install SANE with Homebrew: brew install sane-backends';
  return 'install the libsane1 package (Debian/Ubuntu: sudo apt-get install libsane1; Fedora: sudo dnf install sane-backends-libs)';
}

function unavailable(message: string): ScanbridgeError {
  return new ScanbridgeError('driver-unavailable', message);
}

function promisify<T>(fn: NativeFunction, ...args: unknown[]): Promise<T> {
  return new Promise((resolve, reject) => fn.async(...args, (err: unknown, result: T) => (err ? reject(err) : resolve(result))));
}

/** Load libsane and call sane_init, or throw driver-unavailable saying what to install. */
export async function loadSane(requested: string): Promise<SaneLibrary> {
  const path = requested || defaultLibrary();
  if (!path) throw unavailable(`SANE scanners are available on Linux and macOS; this is ${process.platform}`);
  let koffi: Koffi;
  try {
    koffi = (await import('koffi')).default as Koffi;
  } catch (err) {
    throw unavailable(`the FFI module koffi cannot be loaded on ${process.platform}-${process.arch}: ${(err as Error).message}`);
  }
  let lib: IKoffiLib;
  try {
    lib = koffi.load(path);
  } catch (err) {
    throw unavailable(`libsane could not be loaded from "${path}" (${(err as Error).message.trim()}); ${installHint()}`);
  }

  const device = koffi.struct('SANE_Device', { name: 'const char *', vendor: 'const char *', model: 'const char *', type: 'const char *' });
  const descriptor = koffi.struct('SANE_Option_Descriptor', {
    name: 'const char *',
    title: 'const char *',
    desc: 'const char *',
    type: 'int',
    unit: 'int',
    size: 'int',
    cap: 'int',
    constraint_type: 'int',
    constraint: 'void *',
  });
  const range = koffi.struct('SANE_Range', { min: 'int', max: 'int', quant: 'int' });
  const parameters = koffi.struct('SANE_Parameters', { format: 'int', last_frame: 'int', bytes_per_line: 'int', pixels_per_line: 'int', lines: 'int', depth: 'int' });
  // Registers the name the prototypes below use for device handles.
  koffi.pointer('SANE_Handle', koffi.opaque());

  let f: Record<string, NativeFunction>;
  try {
    f = {
      init: lib.func('int sane_init(_Out_ int *version, void *authorize)'),
      exit: lib.func('void sane_exit(void)'),
      getDevices: lib.func('int sane_get_devices(_Out_ void **list, int local_only)'),
      open: lib.func('int sane_open(const char *name, _Out_ SANE_Handle *handle)'),
      close: lib.func('void sane_close(SANE_Handle handle)'),
      descriptor: lib.func('void *sane_get_option_descriptor(SANE_Handle handle, int option)'),
      control: lib.func('int sane_control_option(SANE_Handle handle, int option, int action, void *value, _Out_ int *info)'),
      parameters: lib.func('int sane_get_parameters(SANE_Handle handle, _Out_ SANE_Parameters *params)'),
      start: lib.func('int sane_start(SANE_Handle handle)'),
      read: lib.func('int sane_read(SANE_Handle handle, void *data, int max_length, _Out_ int *length)'),
      cancel: lib.func('void sane_cancel(SANE_Handle handle)'),
    };
  } catch (err) {
    throw unavailable(`"${path}" is not a SANE library (${(err as Error).message}); ${installHint()}`);
  }

  const versionOut = [0];
  const status = f.init!(versionOut, null) as number;
  if (status !== 0) throw unavailable(`sane_init failed with status ${status}; check the SANE configuration (SANE_CONFIG_DIR, dll.conf)`);
  const code = versionOut[0]!;
  const version = `${(code >>> 24) & 0xff}.${(code >>> 16) & 0xff}.${code & 0xffff}`;
  // Characters at the pointer up to the NUL (decoding as 'const char *' would read a pointer stored there).
  const decodeString = (pointer: unknown): string => (pointer ? (koffi.decode(pointer, 'char', -1) as string) : '');
  const reads = new ReadThread(path);

  return {
    path,
    version,
    async getDevices() {
      const out: unknown[] = [null];
      const status = await promisify<number>(f.getDevices!, out, 0);
      if (status !== 0 || !out[0]) return { status, devices: [] };
      const pointers = koffi.decode(out[0], 'void *', -1) as unknown[];
      const devices = pointers.map((p) => koffi.decode(p, device) as { name: string | null; vendor: string | null; model: string | null; type: string | null });
      return { status, devices: devices.map((d) => ({ name: d.name ?? '', vendor: d.vendor ?? '', model: d.model ?? '', type: d.type ?? '' })) };
    },
    async open(name) {
      const out: unknown[] = [null];
      const status = await promisify<number>(f.open!, name, out);
      return { status, handle: out[0] };
    },
    close: (handle) => void f.close!(handle),
    descriptor(handle, index) {
      const pointer = f.descriptor!(handle, index) as unknown;
      if (!pointer) return null;
      const d = koffi.decode(pointer, descriptor) as { name: string | null; title: string | null; desc: string | null; type: number; unit: number; size: number; cap: number; constraint_type: number; constraint: unknown };
      return { name: d.name ?? '', title: d.title ?? '', desc: d.desc ?? '', type: d.type, unit: d.unit, size: d.size, cap: d.cap, constraintType: d.constraint_type, constraint: d.constraint };
    },
    control(handle, index, action, value) {
      const info = [0];
      const status = f.control!(handle, index, action, value, info) as number;
      return { status, info: info[0]! };
    },
    parameters(handle) {
      const out: Record<string, number> = {};
      const status = f.parameters!(handle, out) as number;
      return {
        status,
        parameters: {
          format: out.format ?? 0,
          lastFrame: (out.last_frame ?? 1) !== 0,
          bytesPerLine: out.bytes_per_line ?? 0,
          pixelsPerLine: out.pixels_per_line ?? 0,
          lines: out.lines ?? 0,
          depth: out.depth ?? 8,
        },
      };
    },
    start: (handle) => promisify<number>(f.start!, handle),
    async fill(handle, into, budgetMs) {
      if (reads.running && into.buffer instanceof SharedArrayBuffer) return reads.fill(koffi.address(handle) as bigint, into, budgetMs);
      const length = [0];
      const status = await promisify<number>(f.read!, handle, into, into.length, length);
      return { status, length: status === 0 ? length[0]! : 0 };
    },
    async prepareReads() {
      await reads.start();
    },
    cancel: (handle) => void f.cancel!(handle),
    exit: () => void f.exit!(),
    range: (pointer) => koffi.decode(pointer, range) as { min: number; max: number; quant: number },
    wordList(pointer) {
      const count = koffi.decode(pointer, 'int') as number;
      return Array.from(koffi.decode(pointer, 'int', count + 1) as ArrayLike<number>).slice(1);
    },
    stringList(pointer) {
      const pointers = koffi.decode(pointer, 'void *', -1) as unknown[];
      return pointers.map(decodeString);
    },
  };
}
