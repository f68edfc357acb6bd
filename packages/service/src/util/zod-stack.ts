/**
 * zod for the service's own schemas (the buffer journal, the wire to device
 * workers), which every start and every SANE worker start load: the build
 * bundles this module into one file (scripts/bundle-vendor.mjs), since zod's
 * 95 files cost each process about 90 ms of CPU and 12 MB loaded one by one,
 * 36 ms and 5 MB bundled. The protocol's schemas keep their own zod (loaded
 * with them, on first use: util/full-protocol.ts); zod's schemas compose
 * across the two, and code that builds on the protocol's schemas
 * (imaging/document-capture.ts, the CLI) imports zod itself. Built by tsc
 * alone this file re-exports the package, and works the same.
 */
export { z } from 'zod';
