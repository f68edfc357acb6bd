#!/usr/bin/env node
// Regenerates the parts of the docs that are derived from code: the settings
// table in README.md and docs/errors.md. A test fails when they drift.
import { readFileSync, writeFileSync } from 'node:fs';
import { settingsMarkdown } from '../packages/service/dist/config/load.js';
import { errorsMarkdown } from '../packages/service/dist/docs/errors-doc.js';

const root = new URL('..', import.meta.url);
const readmeUrl = new URL('README.md', root);
const readme = readFileSync(readmeUrl, 'utf8');
const next = readme.replace(/<!-- settings:begin -->[\s\S]*<!-- settings:end -->/, `<!-- settings:begin -->\n${settingsMarkdown().trim()}\n<!-- settings:end -->`);
writeFileSync(readmeUrl, next);
writeFileSync(new URL('docs/errors.md', root), errorsMarkdown());
console.log('README.md and docs/errors.md regenerated');
