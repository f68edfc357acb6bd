/**
 * `@scanbridge/protocol/core`: the protocol's run-time part without zod, for
 * the browser SDK (which takes its types from the main entry with `import
 * type`): error codes, versions, headers, the method and event tables and the
 * light checks with the service's message templates. The service keeps
 * validating with the zod schemas of the main entry.
 */
export * from './errors.js';
export * from './version.js';
export * from './headers.js';
export * from './method-table.js';
export * from './light-check.js';
