/** Devices and scan jobs. */
import { z } from 'zod';
import { Capabilities, DeviceInfo, JobInfo, ScanSettings } from '../models.js';
import type { MethodSpec } from './spec.js';


export const SCAN_METHODS = {
  ListDevices: {
    session: false,
    safe: true,
    params: z.strictObject({ refresh: z.boolean().default(false) }),
    result: z.tuple([z.array(DeviceInfo)]),
    summary: 'Scanners of every available driver.',
  },
  GetCapabilities: {
    session: false,
    safe: true,
    params: z.strictObject({ device: z.string().min(1).max(512) }),
    result: z.tuple([Capabilities]),
    summary: 'Normalized capabilities and raw options of a device.',
  },
  StartScan: {
    session: true,
    safe: false,
    params: z.strictObject({ device: z.string().min(1).max(512), settings: ScanSettings.default(ScanSettings.parse({})) }),
    result: z.tuple([JobInfo]),
    summary: 'Start a scan job; pages arrive in the buffer as they are acquired (job events on the WebSocket).',
  },
  GetJob: { session: true, safe: true, params: z.strictObject({ job: z.string().min(1).max(64) }), result: z.tuple([JobInfo]), summary: 'State of a job (a scan, or a load started with StartLoad).' },
  WaitJob: {
    session: true,
    safe: true,
    params: z.strictObject({ job: z.string().min(1).max(64), timeout: z.number().min(0).max(600).default(60) }),
    result: z.tuple([JobInfo]),
    summary: 'Wait (up to timeout seconds) until a job has ended; answers its state.',
  },
  CancelJob: { session: true, safe: false, params: z.strictObject({ job: z.string().min(1).max(64) }), result: z.tuple([JobInfo]), summary: 'Cancel a running job; pages a scan already acquired stay, a load adds nothing.' },
} as const satisfies Record<string, MethodSpec>;
