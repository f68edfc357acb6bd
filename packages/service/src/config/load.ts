/**
 * Reads the settings in four layers, each overriding the one before:
 * defaults < scanbridge.ini < environment < command-line flags.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { defaultIniText, userIniText } from './docs.js';
import { ConfigError, describeLocation, type ConfigErrorLocation } from './errors.js';
import { parseIni } from './ini.js';
import { ensureServiceFolder, servicePaths, type ServicePaths } from './paths.js';
import { SETTINGS, SETTING_KEYS, settingSpec, type SettingKey, type SettingSpec, type Settings } from './settings.js';

export { defaultIniText, settingsMarkdown, userIniText } from './docs.js';

export type SettingSource = 'default' | 'ini' | 'env' | 'flag';

/** Keys user.ini may hold. None yet: the features that write it come later. */
export const USER_INI_KEYS: readonly string[] = [];

/** Values as util.parseArgs returns them, keyed by flag name without dashes; other flags are ignored. */
export type FlagValues = Readonly<Record<string, string | boolean | undefined>>;

export interface SettingLayers {
  /** scanbridge.ini's text and its path (named in errors); absent = no ini layer. */
  readonly ini?: { readonly file: string; readonly text: string } | undefined;
  readonly env?: NodeJS.ProcessEnv | undefined;
  readonly flags?: FlagValues | undefined;
}

export interface ResolvedSettings {
  readonly settings: Settings;
  /** Which layer each setting's value came from, for `config show` and diagnostics. */
  readonly sources: Readonly<Record<SettingKey, SettingSource>>;
}

export interface LoadOptions {
  /** The service folder, as given by resolveHome. */
  readonly home: string;
  readonly flags?: FlagValues | undefined;
  /** Defaults to process.env. */
  readonly env?: NodeJS.ProcessEnv | undefined;
}

export interface LoadedConfig extends ResolvedSettings {
  /** With the CacheDir setting applied; every folder exists. */
  readonly paths: ServicePaths;
  /** Files written because they were missing (first start), so the caller can say so. */
  readonly created: readonly string[];
}

/** The util.parseArgs options for every setting's flag. Strings throughout: `--demo-scanner off` reads naturally. */
export function flagSpecs(): Record<string, { type: 'string' }> {
  return Object.fromEntries(SETTINGS.map((s) => [s.flag, { type: 'string' as const }]));
}

/** Reads the layers without touching the disk; throws ConfigError on the first problem. */
export function resolveSettings(layers: SettingLayers): ResolvedSettings {
  const values: Record<string, unknown> = {};
  const sources = {} as Record<SettingKey, SettingSource>;
  const locations = new Map<SettingKey, ConfigErrorLocation>();

  const apply = (spec: SettingSpec, raw: string, source: SettingSource, location: ConfigErrorLocation): void => {
    const parsed = spec.type.parse(raw);
    if (!parsed.ok) throw new ConfigError(`bad value for ${spec.key}: ${parsed.problem}`, location);
    values[spec.prop] = parsed.value;
    sources[spec.key as SettingKey] = source;
    locations.set(spec.key as SettingKey, location);
  };

  for (const spec of SETTINGS as readonly SettingSpec[]) apply(spec, spec.default, 'default', { key: spec.key });

  if (layers.ini) {
    const { file, text } = layers.ini;
    for (const entry of parseIni(text, { file, keys: SETTING_KEYS })) {
      apply(settingSpec(entry.key as SettingKey), entry.value, 'ini', { file, line: entry.line, key: entry.key });
    }
  }

  // An empty variable is a value, not "unset": SCANBRIDGE_ALLOWED_ORIGINS= clears what the ini allows.
  for (const spec of SETTINGS as readonly SettingSpec[]) {
    const raw = layers.env?.[spec.env];
    if (raw !== undefined) apply(spec, raw, 'env', { variable: spec.env, key: spec.key });
  }

  for (const spec of SETTINGS as readonly SettingSpec[]) {
    const raw = layers.flags?.[spec.flag];
    if (raw === undefined) continue;
    const location = { flag: spec.flag, key: spec.key };
    // A flag declared boolean by the CLI arrives as true/false; only a boolean setting can take that.
    if (typeof raw === 'boolean' && !spec.type.parse(String(raw)).ok) {
      throw new ConfigError(`${spec.key} needs a value (expected ${spec.type.expected})`, location);
    }
    apply(spec, String(raw), 'flag', location);
  }

  const settings = values as unknown as Settings;
  checkDistinctPorts(settings, sources, locations);
  return { settings, sources };
}

const PORTS = [
  ['HttpPort', 'httpPort'],
  ['HttpsPort', 'httpsPort'],
  ['WelcomeHttpPort', 'welcomeHttpPort'],
  ['WelcomeHttpsPort', 'welcomeHttpsPort'],
] as const satisfies readonly (readonly [SettingKey, keyof Settings])[];

const PRECEDENCE: readonly SettingSource[] = ['default', 'ini', 'env', 'flag'];

/**
 * Each listener needs its own port. Caught here rather than as EADDRINUSE at
 * bind time so the error can name the line, variable or flag that caused it.
 */
function checkDistinctPorts(
  settings: Settings,
  sources: Record<SettingKey, SettingSource>,
  locations: Map<SettingKey, ConfigErrorLocation>,
): void {
  for (let i = 0; i < PORTS.length; i++) {
    for (let j = i + 1; j < PORTS.length; j++) {
      const [a, aProp] = PORTS[i]!;
      const [b, bProp] = PORTS[j]!;
      const port = settings[aProp];
      if (port === 0 || port !== settings[bProp]) continue;
      // Blame the value set last in precedence order: that is the one the administrator just changed.
      const blameA = PRECEDENCE.indexOf(sources[a]) > PRECEDENCE.indexOf(sources[b]);
      const [culprit, other] = blameA ? [a, b] : [b, a];
      const otherWhere = sources[other] === 'default' ? 'its default' : `set by ${describeLocation(locations.get(other)!)}`;
      throw new ConfigError(
        `${culprit} is ${port}, the same port as ${other} (${otherWhere}); each listener needs its own port (0 picks any free port)`,
        locations.get(culprit),
      );
    }
  }
}

/**
 * Reads the configuration of the service folder `home`. On first start it
 * creates the folder, a fully commented scanbridge.ini and an empty user.ini.
 */
export async function loadConfig(options: LoadOptions): Promise<LoadedConfig> {
  const initial = servicePaths(options.home);
  await mkdir(initial.home, { recursive: true, mode: 0o700 });
  const created: string[] = [];
  const serviceText = await readOrCreate(initial.serviceIni, defaultIniText(), created);
  const userText = await readOrCreate(initial.userIni, userIniText(), created);
  parseIni(userText, { file: initial.userIni, keys: USER_INI_KEYS });

  const resolved = resolveSettings({
    ini: { file: initial.serviceIni, text: serviceText },
    env: options.env ?? process.env,
    flags: options.flags,
  });
  const paths = servicePaths(options.home, resolved.settings.cacheDir);
  await ensureServiceFolder(paths);
  return { ...resolved, paths, created };
}

async function readOrCreate(file: string, initialText: string, created: string[]): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if (!isCode(error, 'ENOENT')) throw new ConfigError(`cannot read: ${messageOf(error)}`, { file }, { cause: error });
  }
  try {
    // 'wx' so that two services starting at once do not overwrite each other's file.
    await writeFile(file, initialText, { flag: 'wx', mode: 0o600 });
    created.push(file);
    return initialText;
  } catch (error) {
    if (isCode(error, 'EEXIST')) return readFile(file, 'utf8');
    throw new ConfigError(`cannot create: ${messageOf(error)}`, { file }, { cause: error });
  }
}

function isCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
