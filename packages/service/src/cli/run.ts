/** `scanbridge run`: the service in the foreground until SIGINT/SIGTERM. */
import { loadConfig } from '../config/load.js';
import { startEarlyLooks } from '../devices/early-looks.js';
import type { RunningService } from '../server/service.js';
import { EXIT } from './usage.js';
import { AFTER_READY_MS } from '../server/after-ready.js';
import type { ParsedValues } from './main.js';

export async function runCommand(home: string, values: ParsedValues): Promise<number> {
  const flags: Record<string, string | boolean | undefined> = {};
  for (const [name, value] of Object.entries(values)) {
    if (name !== 'home' && name !== 'quiet' && name !== 'json' && name !== 'help' && !Array.isArray(value)) flags[name] = value;
  }
  // Signals are caught from the start: one that arrives while the service is
  // still starting waits for the start, then stops it cleanly (port.lock,
  // journal). Further signals while stopping are ignored: the default action
  // would kill the process half-way through the shutdown.
  let stopping = false;
  const stopRequested = new Promise<NodeJS.Signals>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  // The settings first, then what the first device list waits for (the SANE discovery worker, about
  // 200 ms of CPU to load libsane; ffmpeg's probe), then the service's own modules: those run while
  // these load, so the first ListDevices finds its list instead of waiting (devices/early-looks.ts).
  const config = await loadConfig({ home, flags, env: process.env });
  const early = startEarlyLooks(config.settings);
  let service: RunningService;
  try {
    const { startService } = await import('../server/service.js');
    service = await startService({ home, flags, env: process.env, console: false, config, early });
  } catch (err) {
    early.abandon();
    throw err;
  }
  const { ports } = service;
  // Not silenced by --quiet: a loopback name left to another program changes what the user's browser may reach.
  for (const warning of service.warnings) console.error(`scanbridge: warning: ${warning}`);
  if (!values.quiet) {
    console.log(
      `scanbridge ${service.ctx.sessions.size ? `(${service.ctx.sessions.size} session(s) recovered) ` : ''}listening on ` +
        `http://127.0.0.1:${ports.http} https://127.0.0.1:${ports.https} | welcome page http://127.0.0.1:${ports.welcomeHttp}/ | folder ${home}`,
    );
    // Looked up a moment after the start (it runs certutil, and its modules load only then), so it never
    // delays the service nor its first calls (server/after-ready.ts).
    setTimeout(() => {
      if (stopping) return;
      void import('./trust-hint.js')
        .then(({ trustHint }) => trustHint(home))
        .then((line) => {
          if (!stopping) console.log(line);
        });
    }, AFTER_READY_MS).unref();
  }
  const signal = await stopRequested;
  if (!values.quiet) console.log(`scanbridge: ${signal}, stopping`);
  await service.stop();
  return EXIT.ok;
}
