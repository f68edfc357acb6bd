#!/usr/bin/env node
/** The `scanbridge` command: run | monitor | stop | install | uninstall | cert | origins | status | devices | scan. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ScanbridgeError } from '@scanbridge/protocol';
import { resolveHome } from '../config/paths.js';
import { ConfigError } from '../config/errors.js';
import { flagSpecs } from '../config/load.js';
import { VERSION } from '../version.js';
import { COMMANDS, EXIT, mainUsage } from './usage.js';
import { runCommand } from './run.js';
import { statusCommand } from './status.js';
import { devicesCommand } from './devices.js';
import { scanCommand } from './scan.js';
import { monitorCommand } from './monitor.js';
import { stopCommand } from './stop.js';
import { installCommand, uninstallCommand } from './install.js';
import { originsCommand } from './origins.js';
import { certCommand } from './cert.js';
import { ServiceNotRunningError } from './service-client.js';
import { LockHeldError } from '../util/port-lock.js';
import { PortInUseError } from '../server/service.js';

type Options = NonNullable<ParseArgsConfig['options']>;

const COMMON: Options = { home: { type: 'string' }, help: { type: 'boolean', short: 'h' }, json: { type: 'boolean' } };

const OPTIONS: Record<string, Options> = {
  run: { ...COMMON, ...flagSpecs(), quiet: { type: 'boolean', short: 'q' } },
  monitor: { ...COMMON, ...flagSpecs(), quiet: { type: 'boolean', short: 'q' }, 'keep-trust': { type: 'boolean' } },
  stop: { ...COMMON, quiet: { type: 'boolean', short: 'q' } },
  install: { ...COMMON, 'no-start': { type: 'boolean' } },
  origins: COMMON,
  cert: COMMON,
  uninstall: { ...COMMON, purge: { type: 'boolean' } },
  status: COMMON,
  devices: { ...COMMON, refresh: { type: 'boolean' }, capabilities: { type: 'string', short: 'c' } },
  scan: {
    ...COMMON,
    device: { type: 'string', short: 'd' },
    out: { type: 'string', short: 'o' },
    source: { type: 'string' },
    duplex: { type: 'boolean' },
    dpi: { type: 'string' },
    mode: { type: 'string' },
    paper: { type: 'string' },
    option: { type: 'string', multiple: true },
    area: { type: 'string' },
    progress: { type: 'boolean' },
    'no-progress': { type: 'boolean' },
    quality: { type: 'string' },
    compression: { type: 'string' },
  },
};

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
  const options = OPTIONS[command];
  if (!options) {
    console.error(`scanbridge: unknown command "${command}"\n\n${mainUsage()}`);
    return EXIT.usage;
  }
  let values: ParsedValues;
  let positionals: string[];
  try {
    const parsed = parseArgs({ args: rest, options, strict: true, allowPositionals: command === 'origins' || command === 'cert' });
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
  try {
    switch (command) {
      case 'run':
        return await runCommand(home, values);
      case 'monitor':
        return await monitorCommand(home, values);
      case 'stop':
        return await stopCommand(home, values);
      case 'install':
        return await installCommand(home, values);
      case 'uninstall':
        return await uninstallCommand(home, values);
      case 'origins':
        return await originsCommand(home, values, positionals);
      case 'cert':
        return await certCommand(home, values, positionals);
      case 'status':
        return await statusCommand(home, values);
      case 'devices':
        return await devicesCommand(home, values);
      default:
        return await scanCommand(home, values);
    }
  } catch (err) {
    if (err instanceof ConfigError || err instanceof LockHeldError || err instanceof PortInUseError) {
      console.error(`scanbridge ${command}: ${err.message}`);
      return EXIT.config;
    }
    if (err instanceof ServiceNotRunningError) {
      console.error(`scanbridge ${command}: ${err.message}`);
      return EXIT.notRunning;
    }
    if (err instanceof ScanbridgeError) {
      console.error(`scanbridge ${command}: ${err.code}: ${err.message}`);
      return EXIT.failure;
    }
    console.error(`scanbridge ${command}: ${(err as Error).stack ?? String(err)}`);
    return EXIT.failure;
  }
}

process.exitCode = await main(process.argv.slice(2));
