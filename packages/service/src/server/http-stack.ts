/**
 * Fastify and its WebSocket plugin (with ws), which every start loads: the
 * build bundles this module into one file (scripts/bundle-vendor.mjs),
 * since Node loads some 140 files of them (fastify, avvio, find-my-way,
 * semver, ws, readable-stream...) one by one otherwise, and resolving,
 * reading and compiling them took more CPU than running them (bench/startup).
 * Built by tsc alone this file re-exports the packages, and works the same.
 */
export { default as Fastify } from 'fastify';
export { default as websocket } from '@fastify/websocket';
