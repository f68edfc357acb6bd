#!/usr/bin/env node
/** The `scanbridge` command: run | monitor | stop | install | uninstall | cert | origins | status | devices | scan | barcodes | ocr. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { ScanbridgeError } from '@scanbridge/protocol';
import { resolveHome } from '../config/paths.js';
import { ConfigError } from '../config/errors.js';
import { VERSION } from '../version.js';
import { COMMANDS, EXIT, mainUsage } from './usage.js';
import { LockHeldError } from '../util/port-lock.js';
import { enableCompileCache } from '../util/compile-cache.js';

// Each command's module is imported when that command runs: `--version` and
// `status` must not pay for the server, the imaging libraries or the protocol
// schemas (bench/cli measures it). For the same reason errors of those modules
// are told apart by name, not by importing their classes.
const named = <T extends Error>(err: unknown, name: string): err is T => err instanceof Error && err.name === name;

type Options = NonNullable<ParseArgsConfig['options']>;

const COMMON: Options = { home: { type: 'string' }, help: { type: 'boolean', short: 'h' }, json: { type: 'boolean' } };

/** Each command's options; `settingFlags` (every setting as a flag) come from the configuration module, loaded only when a command runs. */
const optionsOf = (settingFlags: Options): Record<string, Options> => ({
  run: { ...COMMON, ...settingFlags, quiet: { type: 'boolean', short: 'q' } },
  monitor: { ...COMMON, ...settingFlags, quiet: { type: 'boolean', short: 'q' }, 'keep-trust': { type: 'boolean' } },
  stop: { ...COMMON, quiet: { type: 'boolean', short: 'q' } },
  install: { ...COMMON, 'no-start': { type: 'boolean' } },
  origins: COMMON,
  cert: { ...COMMON, 'no-system': { type: 'boolean' } },
  uninstall: { ...COMMON, purge: { type: 'boolean' } },
  status: COMMON,
  devices: { ...COMMON, refresh: { type: 'boolean' }, capabilities: { type: 'string', short: 'c' } },
  barcodes: { ...COMMON, formats: { type: 'string' }, region: { type: 'string' }, 'try-invert': { type: 'boolean' }, timeout: { type: 'string' } },
  ocr: { ...COMMON, lang: { type: 'string', short: 'l' }, psm: { type: 'string' }, out: { type: 'string', short: 'o' } },
  scan: {
    ...COMMON,
    device: { type: 'string', short: 'd' },
    out: { type: 'string', short: 'o' },
    ocr: { type: 'string' },
    source: { type: 'string' },
    duplex: { type: 'boolean' },
    dpi: { type: 'string' },
    mode: { type: 'string' },
    paper: { type: 'string' },
    option: { type: 'string', multiple: true },
    area: { type: 'string' },
    progress: { type: 'boolean' },
    'no-progress': { type: 'boolean' },
    barcodes: { type: 'boolean' },
    'split-on': { type: 'string' },
    pattern: { type: 'string' },
    'drop-separators': { type: 'boolean' },
    quality: { type: 'string' },
    compression: { type: 'string' },
  },
});

export type ParsedValues = Record<string, string | boolean | string[] | undefined>;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    console.log(mainUsage());
    return command ? EXIT.ok : EXIT.usage;
  }
  if (command === '--version' || command === '-v') {
    console.log(VERSION);
    return EXIT.ok;
  }
  // The service's V8 flags (supervisor/heap-flags.ts), before anything is loaded: this may restart the process in place.
  if (command === 'run') (await import('../supervisor/heap-flags.js')).ensureServiceFlags();
  // Only run and monitor take the settings as flags; the configuration module (and the protocol it loads) is theirs.
  const settingFlags = command === 'run' || command === 'monitor' ? (await import('../config/load.js')).flagSpecs() : {};
  const options = optionsOf(settingFlags)[command];
  if (!options) {
    console.error(`scanbridge: unknown command "${command}"\n\n${mainUsage()}`);
    return EXIT.usage;
  }
  let values: ParsedValues;
  let positionals: string[];
  try {
    const parsed = parseArgs({ args: rest, options, strict: true, allowPositionals: command === 'origins' || command === 'cert' || command === 'barcodes' || command === 'ocr' || command === 'devices' });
    values = parsed.values as ParsedValues;
    positionals = parsed.positionals;
  } catch (err) {
    console.error(`scanbridge ${command}: ${(err as Error).message}\n\nUsage: ${COMMANDS[command]!.usage}`);
    return EXIT.usage;
  }
  if (values.help) {
    console.log(`Usage: ${COMMANDS[command]!.usage}`);
    return EXIT.ok;
  }
  const home = resolveHome(typeof values.home === 'string' ? { flag: values.home } : {});
  // Before the command's modules (for run, the server's) are imported.
  enableCompileCache(home);
  try {
    switch (command) {
      case 'run':
        return await (await import('./run.js')).runCommand(home, values);
      case 'monitor':
        return await (await import('./monitor.js')).monitorCommand(home, values);
      case 'stop':
        return await (await import('./stop.js')).stopCommand(home, values);
      case 'install':
        return await (await import('./install.js')).installCommand(home, values);
      case 'uninstall':
        return await (await import('./install.js')).uninstallCommand(home, values);
      case 'origins':
        return await (await import('./origins.js')).originsCommand(home, values, positionals);
      case 'cert':
        return await (await import('./cert.js')).certCommand(home, values, positionals);
      case 'status':
        return await (await import('./status.js')).statusCommand(home, values);
      case 'devices':
        return await (await import('./devices.js')).devicesCommand(home, values, positionals);
      case 'barcodes':
        return await (await import('./barcodes.js')).barcodesCommand(values, positionals);
      case 'ocr':
        return await (await import('./ocr.js')).ocrCommand(home, values, positionals);
      default:
        return await (await import('./scan.js')).scanCommand(home, values);
    }
  } catch (err) {
    if (err instanceof ConfigError || err instanceof LockHeldError || named(err, 'PortInUseError')) {
      console.error(`scanbridge ${command}: ${err.message}`);
      return EXIT.config;
    }
    if (named(err, 'ServiceNotRunningError')) {
      console.error(`scanbridge ${command}: ${err.message}`);
      return EXIT.notRunning;
    }
    if (named<ScanbridgeError>(err, 'ScanbridgeError')) {
      console.error(`scanbridge ${command}: ${err.code}: ${err.message}`);
      return EXIT.failure;
    }
    console.error(`scanbridge ${command}: ${(err as Error).stack ?? String(err)}`);
    return EXIT.failure;
  }
}

process.exitCode = await main(process.argv.slice(2));
