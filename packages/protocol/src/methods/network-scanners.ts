/**
 * Network (eSCL) scanners listed by URL, for those mDNS does not find (other
 * subnets): the administrator's EsclScanners and the local user's list
 * (`scanbridge devices add|remove`). Administrator token only: a page must
 * not point the service at hosts of its choosing.
 */
import { z } from 'zod';
import { NO_PARAMS as none, type MethodSpec } from './spec.js';

export const ListedScanner = z.object({
  /** The eSCL root as kept (http or https, `/eSCL` added to a bare host). */
  url: z.string(),
  /** `config`: EsclScanners in scanbridge.ini; `user`: added with `scanbridge devices add`. */
  source: z.enum(['config', 'user']),
});
export type ListedScanner = z.infer<typeof ListedScanner>;

const url = z.strictObject({ url: z.string().min(1).max(2048) });

export const NETWORK_SCANNER_METHODS = {
  ListNetworkScanners: { session: false, safe: true, params: none, result: z.tuple([z.array(ListedScanner)]), summary: 'Network scanners listed by URL, by the administrator (EsclScanners) or the user (administrator token only).' },
  AddNetworkScanner: {
    session: false,
    safe: false,
    params: url,
    result: z.tuple([z.object({ url: z.string(), added: z.boolean() })]),
    summary: "Add an eSCL scanner by URL to the user's list, kept across restarts; added is false when it was listed already (administrator token only).",
  },
  RemoveNetworkScanner: { session: false, safe: false, params: url, result: z.tuple([z.boolean()]), summary: "Remove a scanner from the user's list; false when it was not in it (administrator token only)." },
} as const satisfies Record<string, MethodSpec>;
