import { fileURLToPath } from 'node:url';

/**
 * The file that runs the `scanbridge` command, for the processes that start it
 * again (the monitor's service, the login registration): bin/scanbridge.js,
 * which runs the build's bundle of the service (scripts/bundle-vendor.mjs),
 * or dist/cli/main.js where no bundle was built.
 */
export const COMMAND_PATH = fileURLToPath(new URL('../../bin/scanbridge.js', import.meta.url));
