/**
 * zod for the service's own schemas (the buffer journal, the wire to device
 * workers), which every start and every SANE worker start load: its "mini"
 * form (zod/mini: functions such as z.optional(s) and s.check(z.int()) for
 * the methods of full zod), whose schemas are plain objects: building the
 * service's schemas with full zod (which gives every schema its dozens of
 * methods) and compiling its 570 KB cost each of those processes about 100 ms
 * of CPU, a fifth of a start (bench/startup); zod/mini, bundled by the build
 * with only what the schemas use (scripts/bundle-vendor.mjs), about a tenth of
 * it (util/zod-parts.ts lists what they use). The same checks and the same
 * issues: errors read the same (formatIssues), in English as with full zod. The protocol's schemas keep
 * full zod (loaded with them, on first use: util/full-protocol.ts), and code
 * that builds on them (imaging/document-capture.ts, the CLI) imports zod
 * itself. Built by tsc alone this file re-exports the package, and works the
 * same.
 */
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

// Full zod sets its English messages itself; zod/mini leaves the choice to us.
config(en());

export * as z from './zod-parts.js';
