/** Tests: a `scanbridge run` child process in a fresh service folder for one describe block (or file). */
import { after, before } from 'node:test';
import { rm } from 'node:fs/promises';
import { startChild, tempHome, type ChildService } from './service-harness.js';

/** Started before the tests, handed to `use`; stopped and its folder removed after them. */
export function withChildService(use: (svc: ChildService) => void): void {
  let svc: ChildService | undefined;
  let home: string | undefined;
  before(async () => {
    home = await tempHome();
    svc = await startChild(home);
    use(svc);
  });
  after(async () => {
    await svc?.stop();
    if (home) await rm(home, { recursive: true, force: true });
  });
}
