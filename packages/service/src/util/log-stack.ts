/**
 * pino, which every start loads: the build bundles this module into one file
 * (scripts/bundle-vendor.mjs), as server/http-stack.ts is for the same reason
 * (pino's 30 files, thread-stream and sonic-boom among them, cost a start
 * about 20 ms and 5 MB loaded one by one; bench/startup). Built by tsc alone
 * this file re-exports the package, and works the same.
 */
export { pino } from 'pino';
