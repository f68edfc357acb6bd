#!/usr/bin/env node
// Serves the built demo on its own origin, as an integrator's application
// would be: `npm start -w @scanbridge/demo -- [--port 8080]`. That origin must
// be allowed by the service: AllowedOrigins = http://localhost:8080 in
// scanbridge.ini (or scanbridge run --allowed-origins http://localhost:8080).
import { parseArgs } from 'node:util';
import { serveDemo } from '../dist/e2e/static-server.js';

const { values } = parseArgs({ options: { port: { type: 'string', default: '8080' }, host: { type: 'string', default: 'localhost' } } });
const server = await serveDemo({ port: Number(values.port), host: values.host });
console.log(`scanbridge demo on ${server.origin}/ (allow this origin in scanbridge.ini: AllowedOrigins = ${server.origin})`);
