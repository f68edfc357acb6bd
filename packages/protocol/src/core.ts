/**
 * `@scanbridge/protocol/core`: the protocol's run-time part without zod, for
 * the browser SDK (which takes its types from the main entry with `import
 * type`): error codes, versions, headers, the method and event tables and the
 * light checks with the service's message templates. The service takes its
 * run-time values from here too, and the zod schemas of the main entry only
 * when a call needs them (server/full-protocol.ts): building every method's
 * schema costs a start about 70 ms and 4 MB (bench/startup), and its hot
 * calls (exact entries of METHOD_TABLE, plain envelopes) need none. Its SANE
 * workers import this entry only.
 */
export * from './errors.js';
export * from './version.js';
export * from './headers.js';
export * from './method-table.js';
export * from './light-check.js';
export * from './color-modes.js';
export * from './paper-sizes.js';
export * from './format-lists.js';
export * from './envelope-plain.js';
export { formatIssues } from './validate.js';
