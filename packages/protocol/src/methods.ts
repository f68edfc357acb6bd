/**
 * Every RPC method, defined once. The service validates params against these
 * schemas before dispatching; the SDK's types come from them. PascalCase on the
 * wire (the seed's style), camelCase in the SDK.
 *
 * `session`: the method acts on a session's buffer and is served under /f/
 * (and on the WebSocket); otherwise it is served under /fa/.
 * `safe`: the method changes nothing, so it may also be called with GET.
 */
import { z } from 'zod';
import { Capabilities, DeviceInfo, JobInfo, PageInfo, PageRef, ScanSettings, SessionInfo } from './models.js';

export interface MethodSpec {
  readonly session: boolean;
  readonly safe: boolean;
  readonly params: z.ZodType;
  readonly result: z.ZodType;
  readonly summary: string;
}

const none = z.strictObject({});
const refs = z.strictObject({ pages: z.array(PageRef).min(1).max(100000) });
const one = z.strictObject({ page: PageRef });

export const METHODS = {
  VersionInfo: ({
    session: false,
    safe: true,
    params: none,
    result: z.tuple([z.string(), z.string(), z.string()]),
    summary: 'Service version as ["<major>, <minor>, <patch>, <build>", "", "64"].',
  }),
  ServiceInfo: ({
    session: false,
    safe: true,
    params: none,
    result: z.tuple([
      z.object({
        version: z.string(),
        protocol: z.number().int(),
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
  }),
  ListMethods: ({
    session: false,
    safe: true,
    params: none,
    result: z.tuple([z.array(z.object({ name: z.string(), session: z.boolean(), safe: z.boolean(), summary: z.string() }))]),
    summary: 'Every method of the protocol.',
  }),
  CreateSession: ({
    session: false,
    safe: false,
    params: none,
    result: z.tuple([SessionInfo]),
    summary: 'Create a session with an empty image buffer; pass its id as "id" in later calls.',
  }),
  ResumeSession: ({
    session: true,
    safe: false,
    params: none,
    result: z.tuple([SessionInfo]),
    summary: 'Confirm a session still exists (after a reload or reconnect) and keep it alive.',
  }),
  CloseSession: ({
    session: true,
    safe: false,
    params: none,
    result: z.tuple([z.literal(true)]),
    summary: 'Close the session and delete its pages.',
  }),

  // buffer
  GetImageCount: ({ session: true, safe: true, params: none, result: z.tuple([z.number().int()]), summary: 'Number of pages in the buffer.' }),
  GetImagesInfo: ({
    session: true,
    safe: true,
    params: z.strictObject({ pages: z.array(PageRef).max(100000).optional() }),
    result: z.tuple([z.array(PageInfo)]),
    summary: 'Info of the given pages, or of every page.',
  }),
  AddImage: ({
    session: true,
    safe: false,
    params: z.strictObject({
      data: z.string().min(1).describe('PNG or JPEG bytes, base64'),
      index: z.number().int().min(0).optional(),
      xdpi: z.number().positive().max(100000).optional(),
      ydpi: z.number().positive().max(100000).optional(),
      tags: z.array(z.string().min(1).max(100)).max(100).optional(),
    }),
    result: z.tuple([PageInfo]),
    summary: 'Add a PNG or JPEG image as a page, at the end or at index.',
  }),
  RemoveImages: ({ session: true, safe: false, params: refs, result: z.tuple([z.number().int()]), summary: 'Remove the given pages; answers the new count.' }),
  RemoveSelectedImages: ({ session: true, safe: false, params: none, result: z.tuple([z.number().int()]), summary: 'Remove the selected pages; answers the new count.' }),
  RemoveAllImages: ({ session: true, safe: false, params: none, result: z.tuple([z.literal(true)]), summary: 'Empty the buffer.' }),
  MoveImage: ({
    session: true,
    safe: false,
    params: z.strictObject({ page: PageRef, to: z.number().int().min(0) }),
    result: z.tuple([z.array(z.string())]),
    summary: 'Move a page to a new index; answers the new order of page ids.',
  }),
  SwapImages: ({
    session: true,
    safe: false,
    params: z.strictObject({ a: PageRef, b: PageRef }),
    result: z.tuple([z.array(z.string())]),
    summary: 'Swap two pages; answers the new order of page ids.',
  }),
  SelectImages: ({
    session: true,
    safe: false,
    params: z.strictObject({ pages: z.array(PageRef).max(100000) }),
    result: z.tuple([z.array(z.string())]),
    summary: 'Make exactly these pages the selection (empty list clears it).',
  }),
  GetSelectedImages: ({ session: true, safe: true, params: none, result: z.tuple([z.array(z.string())]), summary: 'Ids of the selected pages in buffer order.' }),
  SetImageTags: ({
    session: true,
    safe: false,
    params: z.strictObject({ pages: z.array(PageRef).min(1), tags: z.array(z.string().min(1).max(100)).max(100), mode: z.enum(['set', 'add', 'remove']).default('set') }),
    result: z.tuple([z.array(PageInfo)]),
    summary: 'Set, add or remove tags on pages.',
  }),
  FindImagesByTag: ({
    session: true,
    safe: true,
    params: z.strictObject({ tag: z.string().min(1).max(100) }),
    result: z.tuple([z.array(z.string())]),
    summary: 'Ids of the pages carrying a tag, in buffer order.',
  }),
  GetImage: ({
    session: true,
    safe: true,
    params: z.strictObject({ page: PageRef }),
    result: z.tuple([z.object({ format: z.enum(['png', 'jpeg']), data: z.string(), info: PageInfo })]),
    summary: 'The stored image of one page, base64.',
  }),

  // devices and scanning
  ListDevices: ({
    session: false,
    safe: true,
    params: z.strictObject({ refresh: z.boolean().default(false) }),
    result: z.tuple([z.array(DeviceInfo)]),
    summary: 'Scanners of every available driver.',
  }),
  GetCapabilities: ({
    session: false,
    safe: true,
    params: z.strictObject({ device: z.string().min(1).max(512) }),
    result: z.tuple([Capabilities]),
    summary: 'Normalized capabilities and raw options of a device.',
  }),
  StartScan: ({
    session: true,
    safe: false,
    params: z.strictObject({ device: z.string().min(1).max(512), settings: ScanSettings.default(ScanSettings.parse({})) }),
    result: z.tuple([JobInfo]),
    summary: 'Start a scan job; pages arrive in the buffer as they are acquired (job events on the WebSocket).',
  }),
  GetJob: ({ session: true, safe: true, params: z.strictObject({ job: z.string().min(1).max(64) }), result: z.tuple([JobInfo]), summary: 'State of a scan job.' }),
  WaitJob: ({
    session: true,
    safe: true,
    params: z.strictObject({ job: z.string().min(1).max(64), timeout: z.number().min(0).max(600).default(60) }),
    result: z.tuple([JobInfo]),
    summary: 'Wait (up to timeout seconds) until a job has ended; answers its state.',
  }),
  CancelJob: ({ session: true, safe: false, params: z.strictObject({ job: z.string().min(1).max(64) }), result: z.tuple([JobInfo]), summary: 'Cancel a running job; pages already acquired stay.' }),
} as const satisfies Record<string, MethodSpec>;

export type MethodName = keyof typeof METHODS;
export type ParamsOf<M extends MethodName> = z.input<(typeof METHODS)[M]['params']>;
export type ParsedParamsOf<M extends MethodName> = z.output<(typeof METHODS)[M]['params']>;
export type ResultOf<M extends MethodName> = z.infer<(typeof METHODS)[M]['result']>;

export const METHOD_NAMES = Object.keys(METHODS) as MethodName[];

export function isMethodName(value: unknown): value is MethodName {
  return typeof value === 'string' && Object.hasOwn(METHODS, value);
}
