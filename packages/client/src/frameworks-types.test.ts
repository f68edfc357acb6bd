/**
 * <scan-viewer> is typed for React's JSX and Vue's templates: the guide's
 * React component and a Vue props check (type-tests/frameworks) compile with
 * tsc against the published declarations (@scanbridge/client/react and /vue),
 * and wrong props are errors there (@ts-expect-error lines).
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = fileURLToPath(new URL('../../../', import.meta.url));

it('the React component and the Vue props check type-check against @scanbridge/client/react and /vue', async () => {
  const tsc = `${root}node_modules/typescript/bin/tsc`;
  const result = await promisify(execFile)(process.execPath, [tsc, '-p', `${root}packages/client/type-tests/frameworks`]).then(
    () => ({ code: 0, out: '' }),
    (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, out: err.stdout + err.stderr }),
  );
  assert.deepEqual(result, { code: 0, out: '' });
});
