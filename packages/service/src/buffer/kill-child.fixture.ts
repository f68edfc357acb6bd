/**
 * Child process for the crash test: adds pages as fast as it can and reports
 * each one once `add` has resolved, until the parent kills it with SIGKILL.
 */
import { SessionManager } from './session-manager.js';
import { image } from './test-helpers.js';

const [cacheDir, keyHex] = process.argv.slice(2);
const manager = await SessionManager.open({ cacheDir: cacheDir!, key: Buffer.from(keyHex!, 'hex'), memoryBudgetBytes: 256 * 1024, idleTimeoutMs: 600_000 });
const session = await manager.create('https://kill.example');
process.stdout.write(`session ${session.id}\n`);
for (let i = 0; ; i++) {
  const page = await session.buffer.add(image(`k${i}`, 20_000 + i), { tags: [`t${i}`] });
  if (i % 5 === 0) await session.buffer.select([page.id]);
  process.stdout.write(`page ${i} ${page.id}\n`);
}
