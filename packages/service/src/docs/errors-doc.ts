/** docs/errors.md is generated from the error catalogue, so the two cannot drift. */
import { ERRORS, ERROR_CODES } from '@scanbridge/protocol/core';

export function errorsMarkdown(): string {
  const rows = ERROR_CODES.map((code) => `| \`${code}\` | ${ERRORS[code].status} | ${ERRORS[code].remedy.replace(/\|/g, '\\|')} |`);
  return `# Error codes

Every failure carries one of these codes in \`error.code\`, with a message naming what was wrong.
Generated from \`packages/protocol/src/errors.ts\` by \`scripts/gen-docs.mjs\`.

| Code | HTTP status | What to do |
| --- | --- | --- |
${rows.join('\n')}
`;
}
