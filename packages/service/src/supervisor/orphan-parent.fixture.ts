/**
 * A parent for the orphan test: starts a fixture worker, prints its pid, and
 * waits to be killed with SIGKILL (no chance to stop its worker).
 */
import { fileURLToPath } from 'node:url';
import { FIXTURE_METHODS } from './fixture-methods.fixture.js';
import { WorkerProcess } from './worker-process.js';

const { worker } = await WorkerProcess.start({
  entry: fileURLToPath(new URL('./fixture-worker.fixture.js', import.meta.url)),
  methods: FIXTURE_METHODS,
  name: 'the orphan fixture worker',
});
process.stdout.write(`worker ${worker.pid}\n`);
await new Promise(() => undefined);
