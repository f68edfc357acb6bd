/**
 * One open SANE device in a worker: its options read into plain data (and
 * read again whenever the backend says they changed, as the SANE standard
 * requires), option assignments applied in order with typed errors, and the
 * acquisition calls.
 */
import { ScanbridgeError } from '@scanbridge/protocol/core';
import type { FrameParameters, SaneLibrary } from './sane-library.js';
import { OPTION_TYPES, OPTION_UNITS, type Assignment, type OptionValue, type SaneConstraint, type SaneOption } from './sane-model.js';
import { allowedText, invalidOption, valueProblem } from './option-values.js';
import { STATUS, statusError } from './sane-status.js';

const TYPE_GROUP = 5;
const CAP = { SOFT_SELECT: 1, SOFT_DETECT: 4, INACTIVE: 32 } as const;
const INFO_RELOAD_OPTIONS = 2;
const ACTION = { GET: 0, SET: 1 } as const;
const CONSTRAINT = { RANGE: 1, WORD_LIST: 2, STRING_LIST: 3 } as const;
const FIXED_ONE = 65536;

interface Slot {
  option: SaneOption;
  /** Bytes sane_control_option reads or writes for it. */
  size: number;
}

export class SaneHandle {
  private slots: Slot[] | null = null;
  /** Values when the device was opened: what a job gets for the options it does not name. */
  private readonly initial = new Map<string, OptionValue>();
  /** Options set by earlier jobs, in the order they were set. */
  private touched: string[] = [];

  private constructor(
    private readonly sane: SaneLibrary,
    private readonly handle: unknown,
    /** The scanbridge id, for messages. */
    readonly device: string,
  ) {}

  static async open(sane: SaneLibrary, name: string, device: string): Promise<SaneHandle> {
    const { status, handle } = await sane.open(name);
    if (status === STATUS.INVAL) throw new ScanbridgeError('unknown-device', `SANE has no device "${name}" (${device}); use an id from ListDevices`, { device });
    if (status !== STATUS.GOOD) throw statusError(status, { device, call: 'sane_open' });
    const opened = new SaneHandle(sane, handle, device);
    for (const { option } of opened.load()) if (option.settable && option.value !== null) opened.initial.set(option.name, option.value);
    return opened;
  }

  /** Every option (groups left out), as the backend describes it now. */
  options(): SaneOption[] {
    return this.load().map((s) => s.option);
  }

  /**
   * Set each option in order; normalized ones the device has switched off are
   * skipped. Options an earlier job set and this one does not name go back to
   * their initial values first (in reverse order, while the options they
   * depend on still allow it), so that no job inherits another's settings.
   */
  apply(assignments: readonly Assignment[]): void {
    const named = new Set(assignments.map((a) => a.name));
    for (const name of [...this.touched].reverse()) {
      const value = this.initial.get(name);
      const slot = this.load().find((s) => s.option.name === name);
      if (named.has(name) || value === undefined || !slot?.option.active || !slot.option.settable) continue;
      const { info } = this.sane.control(this.handle, slot.option.index, ACTION.SET, encode(slot.option, slot.size, value, this.device, name));
      if (info & INFO_RELOAD_OPTIONS) this.slots = null;
    }
    this.touched = [];
    for (const assignment of assignments) {
      const slot = this.load().find((s) => s.option.name === assignment.name);
      const option = slot?.option;
      if (!slot || !option) {
        if (!assignment.required) continue;
        const names = this.load().filter((s) => s.option.settable).map((s) => s.option.name);
        throw invalidOption(this.device, assignment.name, assignment.setting, assignment.value, `does not exist; options: ${names.join(', ')}`);
      }
      if (!option.active || !option.settable) {
        if (!assignment.required) continue;
        const why = option.settable ? 'is inactive with these settings (other options, e.g. the mode, switch it on)' : 'is read-only';
        throw invalidOption(this.device, option, assignment.setting, assignment.value, why);
      }
      if (option.count > 1) throw invalidOption(this.device, option, assignment.setting, assignment.value, `holds ${option.count} values and cannot be set to one`);
      const problem = valueProblem(option, assignment.value);
      if (problem) throw invalidOption(this.device, option, assignment.setting, assignment.value, problem);
      const buffer = encode(option, slot.size, assignment.value, this.device, assignment.setting);
      const { status, info } = this.sane.control(this.handle, option.index, ACTION.SET, buffer);
      if (status === STATUS.INVAL) {
        throw invalidOption(this.device, option, assignment.setting, assignment.value, `refused ${JSON.stringify(assignment.value)}; allowed: ${allowedText(option)}`);
      }
      if (status !== STATUS.GOOD) throw statusError(status, { device: this.device, call: `sane_control_option(${option.name})` });
      this.touched.push(option.name);
      if (info & INFO_RELOAD_OPTIONS) this.slots = null;
      else slot.option = { ...option, value: this.readValue(option, slot.size) };
    }
  }

  /** The value of a number option, or null when it is absent or inactive. */
  number(name: string): number | null {
    const option = this.load().find((s) => s.option.name === name)?.option;
    return option?.active && typeof option.value === 'number' ? option.value : null;
  }

  start(): Promise<number> {
    return this.sane.start(this.handle);
  }

  parameters(): FrameParameters {
    const { status, parameters } = this.sane.parameters(this.handle);
    if (status !== STATUS.GOOD) throw statusError(status, { device: this.device, call: 'sane_get_parameters' });
    return parameters;
  }

  /** See SaneLibrary.prepareReads. */
  prepareReads(): Promise<void> {
    return this.sane.prepareReads();
  }

  /** See SaneLibrary.fill. */
  fill(into: Buffer, budgetMs?: number): Promise<{ status: number; length: number }> {
    return this.sane.fill(this.handle, into, budgetMs);
  }

  /** Safe at any time, also while a read waits on another thread (the SANE standard allows it). */
  cancel(): void {
    this.sane.cancel(this.handle);
  }

  close(): void {
    this.sane.close(this.handle);
  }

  private load(): Slot[] {
    if (this.slots) return this.slots;
    // Option 0 holds the number of options; the backend may change it when options are reloaded.
    const countBuffer = Buffer.alloc(4);
    this.sane.descriptor(this.handle, 0);
    const { status } = this.sane.control(this.handle, 0, ACTION.GET, countBuffer);
    if (status !== STATUS.GOOD) throw statusError(status, { device: this.device, call: 'sane_control_option(0)' });
    const count = new Int32Array(countBuffer.buffer, countBuffer.byteOffset, 1)[0]!;
    const slots: Slot[] = [];
    for (let index = 1; index < count; index++) {
      const d = this.sane.descriptor(this.handle, index);
      if (!d || d.type === TYPE_GROUP || !d.name || d.type < 0 || d.type >= OPTION_TYPES.length) continue;
      const type = OPTION_TYPES[d.type]!;
      const word = type === 'bool' || type === 'int' || type === 'fixed';
      const option: SaneOption = {
        index,
        name: d.name,
        title: d.title,
        description: d.desc,
        type,
        unit: OPTION_UNITS[d.unit] ?? '',
        count: word ? Math.max(1, Math.floor(d.size / 4)) : type === 'string' ? 1 : 0,
        active: (d.cap & CAP.INACTIVE) === 0,
        settable: (d.cap & CAP.SOFT_SELECT) !== 0,
        readable: (d.cap & CAP.SOFT_DETECT) !== 0,
        constraint: this.constraint(d.constraintType, d.constraint, type === 'fixed'),
        value: null,
      };
      option.value = this.readValue(option, d.size);
      slots.push({ option, size: d.size });
    }
    this.slots = slots;
    return slots;
  }

  private constraint(kind: number, pointer: unknown, fixed: boolean): SaneConstraint {
    if (!pointer) return null;
    const scale = (v: number): number => (fixed ? v / FIXED_ONE : v);
    if (kind === CONSTRAINT.RANGE) {
      const r = this.sane.range(pointer);
      return { kind: 'range', min: scale(r.min), max: scale(r.max), quant: scale(r.quant) };
    }
    if (kind === CONSTRAINT.WORD_LIST) return { kind: 'list', values: Array.from(this.sane.wordList(pointer), scale) };
    if (kind === CONSTRAINT.STRING_LIST) return { kind: 'strings', values: this.sane.stringList(pointer) };
    return null;
  }

  private readValue(option: SaneOption, size: number): OptionValue | null {
    if (!option.active || !option.readable || option.type === 'button' || option.count !== 1) return null;
    const buffer = Buffer.alloc(Math.max(size, 4));
    const { status } = this.sane.control(this.handle, option.index, ACTION.GET, buffer);
    if (status !== STATUS.GOOD) return null;
    if (option.type === 'string') {
      const end = buffer.indexOf(0);
      return buffer.toString('utf8', 0, end < 0 ? buffer.length : end);
    }
    // SANE words are in the host's byte order.
    const word = new Int32Array(buffer.buffer, buffer.byteOffset, 1)[0]!;
    if (option.type === 'bool') return word !== 0;
    return option.type === 'fixed' ? word / FIXED_ONE : word;
  }
}

function encode(option: SaneOption, size: number, value: OptionValue, device: string, setting: string): Buffer | null {
  if (option.type === 'button') return null;
  if (option.type === 'string') {
    const bytes = Buffer.from(String(value), 'utf8');
    if (bytes.length >= size) throw invalidOption(device, option, setting, value, `takes at most ${size - 1} bytes; got ${bytes.length}`);
    const buffer = Buffer.alloc(size);
    bytes.copy(buffer);
    return buffer;
  }
  const buffer = Buffer.alloc(4);
  const word = option.type === 'bool' ? (value ? 1 : 0) : option.type === 'fixed' ? Math.round(Number(value) * FIXED_ONE) : Math.round(Number(value));
  new Int32Array(buffer.buffer, buffer.byteOffset, 1)[0] = word;
  return buffer;
}
