/**
 * `@scanbridge/protocol/core`: the protocol's run-time part without zod, for
 * the browser SDK (which takes its types from the main entry with `import
 * type`): error codes, versions, headers, the method and event tables and the
 * light checks with the service's message templates. The service keeps
 * validating with the zod schemas of the main entry; its SANE workers import
 * this entry only, so that each worker start does not build every method's
 * schema (bench/startup: the first ListDevices waits for one).
 */
export * from './errors.js';
export * from './version.js';
export * from './headers.js';
export * from './method-table.js';
export * from './light-check.js';
export * from './color-modes.js';
export { formatIssues } from './validate.js';
