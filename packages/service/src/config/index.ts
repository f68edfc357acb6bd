export { ConfigError, describeLocation, type ConfigErrorLocation } from './errors.js';
export { parseIni, type IniEntry, type IniOptions } from './ini.js';
export {
  defaultIniText,
  flagSpecs,
  loadConfig,
  resolveSettings,
  settingsMarkdown,
  userIniText,
  USER_INI_KEYS,
  type FlagValues,
  type LoadedConfig,
  type LoadOptions,
  type ResolvedSettings,
  type SettingLayers,
  type SettingSource,
} from './load.js';
export { originProblem } from './origins.js';
export { ensureServiceFolder, resolveHome, servicePaths, type ResolveHomeOptions, type ServicePaths } from './paths.js';
export {
  defaultSettings,
  settingSpec,
  SETTINGS,
  SETTING_KEYS,
  type LogLevel,
  type SettingKey,
  type Settings,
  type SettingSpec,
} from './settings.js';
export { LOG_LEVELS } from './value-types.js';
