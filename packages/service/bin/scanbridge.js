#!/usr/bin/env node
// The command line, from the build's bundle of the service's modules
// (dist/bundle/, scripts/bundle-vendor.mjs says why), or as tsc built it
// when the bundle was not made. Only one of the two runs in a process.
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/bundle/main.js', import.meta.url);
await import(existsSync(bundle) ? bundle.href : '../dist/cli/main.js');
