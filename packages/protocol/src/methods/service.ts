/** The service itself and sessions. */
import { z } from 'zod';
import { DeviceInfo, SessionInfo } from '../models.js';
import { NO_PARAMS as none, type MethodSpec } from './spec.js';


export const SERVICE_METHODS = {
  VersionInfo: {
    session: false,
    safe: true,
    params: none,
    result: z.tuple([z.string(), z.string(), z.string()]),
    summary: 'Service version as ["<major>, <minor>, <patch>, <build>", "", "64"].',
  },
  ServiceInfo: {
    session: false,
    safe: true,
    params: none,
    result: z.tuple([
      z.object({
        version: z.string(),
        protocol: z.number().int(),
        /** The Node.js version the service runs on (for a support request). */
        runtime: z.string(),
        uptime: z.number(),
        sessions: z.number().int(),
        /** Bytes of page images held in memory, and the budget (MemoryBudgetMB). */
        buffer: z.object({ usedBytes: z.number().int(), budgetBytes: z.number().int() }),
        /** Resident memory of the service process. */
        rss: z.number().int(),
        ports: z.record(z.string(), z.number().int()),
        devices: z.array(DeviceInfo),
        drivers: z.array(z.object({ name: z.string(), available: z.boolean(), reason: z.string().nullable() })),
      }),
    ]),
    summary: 'Version, uptime, ports, devices and number of sessions.',
  },
  ListMethods: {
    session: false,
    safe: true,
    params: none,
    result: z.tuple([z.array(z.object({ name: z.string(), session: z.boolean(), safe: z.boolean(), summary: z.string() }))]),
    summary: 'Every method of the protocol.',
  },
  CreateSession: {
    session: false,
    safe: false,
    params: none,
    result: z.tuple([SessionInfo]),
    summary: 'Create a session with an empty image buffer; pass its id as "id" in later calls.',
  },
  ResumeSession: {
    session: true,
    safe: false,
    params: none,
    result: z.tuple([SessionInfo]),
    summary: 'Confirm a session still exists (after a reload or reconnect) and keep it alive.',
  },
  CloseSession: {
    session: true,
    safe: false,
    params: none,
    result: z.tuple([z.literal(true)]),
    summary: 'Close the session and delete its pages.',
  },
} as const satisfies Record<string, MethodSpec>;
