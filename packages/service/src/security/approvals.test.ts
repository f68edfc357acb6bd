/** approvals.json: who may use the scanner, across restarts, and what an administrator's list changes. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Approvals } from './approvals.js';

const SITE = 'https://claims.example';
const POLICY = 'https://intranet.example';
const WELCOME = 'http://127.0.0.1:18625';

describe('approvals', () => {
  let dir: string;
  let file: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sb-approvals-'));
    file = path.join(dir, 'approvals.json');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('issues tokens to approved origins only, stores only their hashes, and keeps them across a restart', async () => {
    const approvals = await Approvals.open(file, []);
    await assert.rejects(approvals.issue(SITE), /not approved/);
    await approvals.approve(SITE, 'user');
    const token = await approvals.issue(SITE);
    assert.equal(approvals.verify(token), SITE);
    assert.equal(approvals.verify(`${token}x`), null);
    const text = await readFile(file, 'utf8');
    assert.ok(!text.includes(token), 'the token itself is never written');
    assert.equal((await stat(file)).mode & 0o777, 0o600);

    const again = await Approvals.open(file, []);
    await again.settle();
    assert.equal(again.verify(token), SITE);
    assert.deepEqual(again.list().map((a) => [a.origin, a.by, a.tokens.length]), [[SITE, 'user', 0]], 'list() never hands out token hashes');
  });

  it('keeps the newest eight tokens of an origin', async () => {
    const approvals = await Approvals.open(file, []);
    const tokens = [];
    for (let i = 0; i < 9; i++) tokens.push(await approvals.issue(SITE));
    assert.equal(approvals.verify(tokens[0]!), null);
    assert.ok(tokens.slice(1).every((t) => approvals.verify(t) === SITE));
  });

  it('revoking ends every token of the origin; administered origins cannot be revoked', async () => {
    const approvals = await Approvals.open(file, [POLICY]);
    await approvals.settle();
    const token = await approvals.issue(SITE);
    assert.equal(await approvals.revoke(SITE), true);
    assert.equal(approvals.verify(token), null);
    assert.equal(approvals.isApproved(SITE), false);
    assert.equal(await approvals.revoke(POLICY), false);
    assert.equal(approvals.isApproved(POLICY), true);
    assert.equal(await approvals.revoke('https://never.example'), false);
  });

  it("an administered origin's tokens last across restarts while it is listed, and end when the administrator takes it out", async () => {
    const first = await Approvals.open(file, [POLICY]);
    first.administer([WELCOME]);
    await first.settle();
    const policyToken = await first.issue(POLICY);
    const welcomeToken = await first.issue(WELCOME);

    // Restart with the same policy: the service's own origin is named only once its ports are known.
    const second = await Approvals.open(file, [POLICY]);
    assert.equal(second.verify(welcomeToken), null, 'not before it is named again');
    second.administer([WELCOME]);
    await second.settle();
    assert.equal(second.verify(policyToken), POLICY);
    assert.equal(second.verify(welcomeToken), WELCOME);
    assert.equal(second.isAdministered(POLICY), true);

    // The administrator takes POLICY out of AllowedOrigins: no longer approved, its tokens refused, and gone from the file.
    const third = await Approvals.open(file, []);
    third.administer([WELCOME]);
    await third.settle();
    assert.equal(third.isApproved(POLICY), false);
    assert.equal(third.verify(policyToken), null);
    assert.equal(await third.revoke(POLICY), false);
    const saved = JSON.parse(await readFile(file, 'utf8')) as { origin: string }[];
    assert.ok(!saved.some((a) => a.origin === POLICY), JSON.stringify(saved));
  });

  it('a damaged file is set aside and the service starts with no approvals', async () => {
    await writeFile(file, '[{"origin": "https://x.example", "tok');
    const approvals = await Approvals.open(file, []);
    assert.deepEqual(approvals.list(), []);
    assert.ok((await readdir(dir)).some((f) => f.startsWith('approvals.json.corrupt-')));
  });
});
