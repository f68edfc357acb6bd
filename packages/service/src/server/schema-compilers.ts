/**
 * Fastify's schema compilers, loaded only if a route ever declares a schema.
 * Fastify requires ajv and fast-json-stringify when each app is created
 * unless it is given compilers; no route of the service declares one (the
 * RPC layer checks bodies against the protocol), so loading them cost every
 * start about a tenth of its time and several MB for nothing (issue 11.8).
 * These stand-ins require the real ones, from where Fastify finds them, on
 * their first use: a route with a schema still works as before.
 */
import { createRequire } from 'node:module';
import type { FastifyServerOptions } from 'fastify';

type SchemaController = NonNullable<FastifyServerOptions['schemaController']>;
type CompilerFactory = (...args: unknown[]) => unknown;

const fromFastify = createRequire(createRequire(import.meta.url).resolve('fastify'));

function lazyFactory(name: string): CompilerFactory {
  let factory: CompilerFactory | undefined;
  return (...args) => {
    factory ??= (fromFastify(name) as () => CompilerFactory)();
    return factory(...args);
  };
}

/** Fastify's `schemaController` option for one app: its default compilers, required on first use (one set per app, as Fastify makes them). */
export function lazySchemaController(): SchemaController {
  return {
    compilersFactory: {
      buildValidator: lazyFactory('@fastify/ajv-compiler') as NonNullable<SchemaController['compilersFactory']>['buildValidator'],
      buildSerializer: lazyFactory('@fastify/fast-json-stringify-compiler') as NonNullable<SchemaController['compilersFactory']>['buildSerializer'],
    },
  };
}
