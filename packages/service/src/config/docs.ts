/**
 * Texts generated from the settings table, so that the default ini, the
 * README and the code cannot disagree about a default or a name.
 */
import { SETTINGS, type SettingSpec } from './settings.js';

const specs = SETTINGS as readonly SettingSpec[];

/**
 * The scanbridge.ini written on first start. Every setting is present but
 * commented out, so defaults keep applying (and keep following new releases)
 * until an administrator deliberately uncomments a line.
 */
export function defaultIniText(): string {
  const lines = [
    '; scanbridge service settings.',
    ';',
    '; Every setting is listed with its default, commented out so that the default',
    '; applies. To change one, remove the "; " before its line and edit the value.',
    '; The service reads this file when it starts. Environment variables override',
    '; this file, and command-line flags override both.',
    ';',
    '; Format: Key = Value. Lines starting with ; or # are comments. A value may be',
    '; put in double quotes. Unknown keys and bad values stop the service with an',
    '; error naming the line.',
    '',
    '[scanbridge]',
  ];
  for (const spec of specs) {
    lines.push(
      '',
      `; ${spec.description}`,
      `; Allowed: ${spec.type.expected}.`,
      `; Environment: ${spec.env}   Flag: --${spec.flag}`,
      spec.default === '' ? `; ${spec.key} =` : `; ${spec.key} = ${spec.default}`,
    );
  }
  return lines.join('\n') + '\n';
}

/** The user.ini written on first start: the service, not the administrator, fills it in. */
export function userIniText(): string {
  return [
    '; scanbridge per-user choices.',
    ';',
    '; The service records here the choices you make in its pages: the websites',
    '; (origins) you approved to use your scanners and the folders you allowed it',
    '; to save into. Administrator settings belong in scanbridge.ini instead.',
    ';',
    '; No keys are defined yet, so any key written here is reported as an error.',
    '',
  ].join('\n');
}

/** The settings as a Markdown table for the README. */
export function settingsMarkdown(): string {
  const rows = [
    '| Key | Default | Environment | Flag | Description |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const spec of specs) {
    const value = spec.default === '' ? '*(empty)*' : `\`${spec.default}\``;
    const description = `${spec.description} Allowed: ${spec.type.expected}.`
      .replaceAll('|', '\\|')
      .replaceAll('<', '&lt;'); // "<home>" would otherwise be read as an HTML tag
    rows.push(`| \`${spec.key}\` | ${value} | \`${spec.env}\` | \`--${spec.flag}\` | ${description} |`);
  }
  return rows.join('\n') + '\n';
}
