/**
 * Configuration problems stop the service before it listens, so they are not
 * wire errors (ScanbridgeError): they are read by an administrator in a
 * terminal or a log. The message therefore always says where the bad value
 * came from, in the `file:line:` form that editors and terminals link.
 */

/** Where a configuration value came from. At most one of file, variable, flag is set. */
export interface ConfigErrorLocation {
  /** The ini file, when the value came from one. */
  readonly file?: string | undefined;
  /** 1-based line in `file`. */
  readonly line?: number | undefined;
  /** The setting key (PascalCase, as in the ini), when one is concerned. */
  readonly key?: string | undefined;
  /** The environment variable, when the value came from the environment. */
  readonly variable?: string | undefined;
  /** The command-line flag without its leading dashes, when the value came from a flag. */
  readonly flag?: string | undefined;
}

export class ConfigError extends Error {
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly key: string | undefined;
  readonly variable: string | undefined;
  readonly flag: string | undefined;
  /** The message without its location prefix, for callers that show the location apart. */
  readonly detail: string;

  constructor(detail: string, location: ConfigErrorLocation = {}, options?: { cause?: unknown }) {
    super(`${locationPrefix(location)}${detail}`, options);
    this.name = 'ConfigError';
    this.detail = detail;
    this.file = location.file;
    this.line = location.line;
    this.key = location.key;
    this.variable = location.variable;
    this.flag = location.flag;
  }
}

/** The human label of a location, e.g. `/x/scanbridge.ini:12` or `flag --http-port`; empty for none. */
export function describeLocation(location: ConfigErrorLocation): string {
  if (location.file !== undefined) return location.line !== undefined ? `${location.file}:${location.line}` : location.file;
  if (location.variable !== undefined) return `environment variable ${location.variable}`;
  if (location.flag !== undefined) return `flag --${location.flag}`;
  return '';
}

function locationPrefix(location: ConfigErrorLocation): string {
  const label = describeLocation(location);
  return label ? `${label}: ` : '';
}
