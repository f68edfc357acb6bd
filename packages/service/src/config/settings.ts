/**
 * The one table of settings. The ini reader, the environment and flag
 * readers, the default ini, `--help` and the README table are all derived
 * from it, so a setting added here is documented and validated everywhere.
 */
import * as type from './value-types.js';
import type { LogLevel, ValueType } from './value-types.js';
import { destinationPrefixes } from '../addons/upload/destinations.js';
import { testCameraList } from '../devices/camera/test-camera-setting.js';
import { scannerUrls } from '../devices/escl/scanner-url.js';

export type { LogLevel } from './value-types.js';

/**
 * The service's settings once read and checked. Sizes are held in bytes and
 * durations in milliseconds (the ini writes MB and seconds), so that the unit
 * is in the name and no consumer converts again.
 */
export interface Settings {
  /** HttpPort: port of the HTTP API; 0 = any free port. */
  readonly httpPort: number;
  /** HttpsPort: port of the HTTPS API; 0 = any free port. */
  readonly httpsPort: number;
  /** WelcomeHttpPort: port of the HTTP welcome and admin pages; 0 = any free port. */
  readonly welcomeHttpPort: number;
  /** WelcomeHttpsPort: port of the HTTPS welcome and admin pages; 0 = any free port. */
  readonly welcomeHttpsPort: number;
  /** BindAddress: an IPv4/IPv6 literal or `localhost`. */
  readonly bindAddress: string;
  /** AllowOtherUsers: answer the programs of other user accounts of this machine. */
  readonly allowOtherUsers: boolean;
  readonly logLevel: LogLevel;
  /** MemoryBudgetMB × 2^20: memory for hot pages of the image buffer. */
  readonly memoryBudgetBytes: number;
  /** ImageMemoryMB × 2^20: memory that decoding, rasterizing and encoding pages share. */
  readonly imageMemoryBytes: number;
  /** CacheDir as written: an absolute path, or '' for `<home>/cache`. Use ServicePaths.cache, which resolves it. */
  readonly cacheDir: string;
  /** SessionIdleTimeout × 1000: an idle session is closed after this long. */
  readonly sessionIdleTimeoutMs: number;
  /** AllowedOrigins: exact origins (`https://app.example.com`) the administrator allows, without duplicates. */
  readonly allowedOrigins: readonly string[];
  /** MaxBodyMB × 2^20: largest request body accepted. */
  readonly maxBodyBytes: number;
  /** LogMaxSizeMB × 2^20: a log file is rotated past this size. */
  readonly logMaxSizeBytes: number;
  /** LogMaxFiles: rotated log files kept. */
  readonly logMaxFiles: number;
  /** DemoScanner: offer the built-in demo scanner. */
  readonly demoScanner: boolean;
  /** DemoFeederSheets: sheets in the demo scanner's document feeder. */
  readonly demoFeederSheets: number;
  /** SaveFolders: absolute folders pages may be saved into (SaveImages with `folder`); none = saving to disk is off. */
  readonly saveFolders: readonly string[];
  /** UploadDestinations: URL prefixes every page may upload to (besides its own origin). */
  readonly uploadDestinations: readonly string[];
  /** SaneScanners: offer the scanners libsane finds (Linux, macOS). */
  readonly saneScanners: boolean;
  /** SaneLibrary: the libsane to load; '' for the platform's own (libsane.so.1, libsane.1.dylib). */
  readonly saneLibrary: string;
  /** SaneDiscoveryInterval × 1000: while a scanner is open, look this often whether it is still there; 0 only when asked. */
  readonly saneDiscoveryIntervalMs: number;
  /** Cameras: offer webcams and document cameras (through ffmpeg). */
  readonly cameras: boolean;
  /** FfmpegPath: the ffmpeg cameras are used through; '' for ffmpeg on the PATH. */
  readonly ffmpegPath: string;
  /** TestCameras: `name=source` stand-ins for cameras (a video file or lavfi graph), for tests and demos. */
  readonly testCameras: readonly string[];
  /** EsclDiscovery: look for eSCL (AirScan) network scanners announced over mDNS. */
  readonly esclDiscovery: boolean;
  /** EsclScanners: eSCL root URLs of network scanners the administrator lists (other subnets, where mDNS does not reach). */
  readonly esclScanners: readonly string[];
  /** DeviceListInterval: how often the device list is looked at again while a page is connected. */
  readonly deviceListIntervalMs: number;
  /** DeviceWorkerIdleTimeout × 1000: a device worker process nobody uses is stopped after this long. */
  readonly deviceWorkerIdleTimeoutMs: number;
  /** EsclServer: share the scanners of EsclShare on the network over eSCL (AirScan). */
  readonly esclServer: boolean;
  /** EsclShare: device ids shared by the eSCL server, the first at /eSCL. */
  readonly esclShare: readonly string[];
  /** EsclPort: port of the eSCL server; 0 = any free port. */
  readonly esclPort: number;
  /** EsclBindAddress: address the eSCL server listens on. */
  readonly esclBindAddress: string;
  /** EsclAllowedNetworks: CIDR networks (normalized `address/bits`) whose clients may scan; loopback always may. */
  readonly esclAllowedNetworks: readonly string[];
  /** EsclTls: the eSCL server speaks HTTPS with the service's certificate. */
  readonly esclTls: boolean;
}

export interface SettingSpec<K extends string = string, P extends keyof Settings = keyof Settings> {
  /** As written in scanbridge.ini. */
  readonly key: K;
  /** The property of Settings it fills. */
  readonly prop: P;
  readonly type: ValueType<Settings[P]>;
  /** As written in the ini (e.g. MB, seconds); parsed by `type` like any other value. */
  readonly default: string;
  /** SCANBRIDGE_ + the key in SNAKE_CASE. */
  readonly env: string;
  /** Kebab-case, without the leading `--` (as util.parseArgs names options). */
  readonly flag: string;
  /** One line, for the default ini, `--help` and the README. */
  readonly description: string;
}

// Ties each row's type to its Settings property, so a row cannot fill a property with the wrong kind of value.
function setting<const K extends string, P extends keyof Settings>(spec: SettingSpec<K, P>): SettingSpec<K, P> {
  return spec;
}

export const SETTINGS = [
  setting({
    key: 'HttpPort', prop: 'httpPort', type: type.port(), default: '18622',
    env: 'SCANBRIDGE_HTTP_PORT', flag: 'http-port',
    description: 'Port of the HTTP API (0 picks any free port).',
  }),
  setting({
    key: 'HttpsPort', prop: 'httpsPort', type: type.port(), default: '18623',
    env: 'SCANBRIDGE_HTTPS_PORT', flag: 'https-port',
    description: 'Port of the HTTPS API (0 picks any free port).',
  }),
  setting({
    key: 'WelcomeHttpPort', prop: 'welcomeHttpPort', type: type.port(), default: '18625',
    env: 'SCANBRIDGE_WELCOME_HTTP_PORT', flag: 'welcome-http-port',
    description: 'Port of the HTTP welcome and admin pages (0 picks any free port).',
  }),
  setting({
    key: 'WelcomeHttpsPort', prop: 'welcomeHttpsPort', type: type.port(), default: '18626',
    env: 'SCANBRIDGE_WELCOME_HTTPS_PORT', flag: 'welcome-https-port',
    description: 'Port of the HTTPS welcome and admin pages (0 picks any free port).',
  }),
  setting({
    key: 'BindAddress', prop: 'bindAddress', type: type.bindAddress(), default: '127.0.0.1',
    env: 'SCANBRIDGE_BIND_ADDRESS', flag: 'bind-address',
    description: 'Address the service listens on; keep a loopback address unless you know why not.',
  }),
  setting({
    key: 'AllowOtherUsers', prop: 'allowOtherUsers', type: type.boolean(), default: 'false',
    env: 'SCANBRIDGE_ALLOW_OTHER_USERS', flag: 'allow-other-users',
    description: "Answer programs of other user accounts on this machine. Off, a loopback connection opened by another account is refused with other-user (checked on Linux, from the kernel's socket table), so that on a shared machine nobody reaches another person's scanner or pages.",
  }),
  setting({
    key: 'LogLevel', prop: 'logLevel', type: type.logLevel(), default: 'info',
    env: 'SCANBRIDGE_LOG_LEVEL', flag: 'log-level',
    description: 'Least severe log messages written.',
  }),
  setting({
    key: 'MemoryBudgetMB', prop: 'memoryBudgetBytes', type: type.megabytes(16, 65536), default: '512',
    env: 'SCANBRIDGE_MEMORY_BUDGET_MB', flag: 'memory-budget-mb',
    description: 'Memory in MB for hot pages of the image buffer; colder pages go to the cache folder.',
  }),
  setting({
    key: 'ImageMemoryMB', prop: 'imageMemoryBytes', type: type.megabytes(32, 65536), default: '256',
    env: 'SCANBRIDGE_IMAGE_MEMORY_MB', flag: 'image-memory-mb',
    description: 'Memory in MB that decoding, rasterizing and encoding pages share (loading files, PDF pages, saving, edits); requests that would pass it wait their turn, and large pages are processed in strips.',
  }),
  setting({
    key: 'CacheDir', prop: 'cacheDir', type: type.folderOrEmpty('<home>/cache'), default: '',
    env: 'SCANBRIDGE_CACHE_DIR', flag: 'cache-dir',
    description: 'Folder for pages of the image buffer that do not fit in memory.',
  }),
  setting({
    // At most a week: Node timers cannot wait longer than about 24.8 days and fire at once beyond.
    key: 'SessionIdleTimeout', prop: 'sessionIdleTimeoutMs', type: type.seconds(5, 604800), default: '1800',
    env: 'SCANBRIDGE_SESSION_IDLE_TIMEOUT', flag: 'session-idle-timeout',
    description: 'Seconds without requests after which a session and its pages are discarded.',
  }),
  setting({
    key: 'AllowedOrigins', prop: 'allowedOrigins', type: type.origins(), default: '',
    env: 'SCANBRIDGE_ALLOWED_ORIGINS', flag: 'allowed-origins',
    description: 'Web origins the administrator allows without asking the user.',
  }),
  setting({
    key: 'MaxBodyMB', prop: 'maxBodyBytes', type: type.megabytes(1, 2048), default: '64',
    env: 'SCANBRIDGE_MAX_BODY_MB', flag: 'max-body-mb',
    description: 'Largest request body in MB.',
  }),
  setting({
    key: 'LogMaxSizeMB', prop: 'logMaxSizeBytes', type: type.megabytes(1, 1024), default: '10',
    env: 'SCANBRIDGE_LOG_MAX_SIZE_MB', flag: 'log-max-size-mb',
    description: 'Size in MB at which the log file is rotated.',
  }),
  setting({
    key: 'LogMaxFiles', prop: 'logMaxFiles', type: type.int(1, 100), default: '5',
    env: 'SCANBRIDGE_LOG_MAX_FILES', flag: 'log-max-files',
    description: 'Rotated log files kept.',
  }),
  setting({
    key: 'DemoScanner', prop: 'demoScanner', type: type.boolean(), default: 'true',
    env: 'SCANBRIDGE_DEMO_SCANNER', flag: 'demo-scanner',
    description: 'Offer the built-in demo scanner, which needs no hardware.',
  }),
  setting({
    key: 'DemoFeederSheets', prop: 'demoFeederSheets', type: type.int(1, 1000), default: '10',
    env: 'SCANBRIDGE_DEMO_FEEDER_SHEETS', flag: 'demo-feeder-sheets',
    description: "Sheets in the demo scanner's document feeder.",
  }),
  setting({
    key: 'SaveFolders', prop: 'saveFolders', type: type.folders(), default: '',
    env: 'SCANBRIDGE_SAVE_FOLDERS', flag: 'save-folders',
    description: 'Folders web pages may save files into (by index: 0 is the first); empty: saving to disk is refused.',
  }),
  setting({
    key: 'UploadDestinations', prop: 'uploadDestinations', type: destinationPrefixes(), default: '',
    env: 'SCANBRIDGE_UPLOAD_DESTINATIONS', flag: 'upload-destinations',
    description: "URL prefixes (scheme://host[:port]/path) every page may upload documents to, separated by semicolons; a page may always upload to its own origin.",
  }),
  setting({
    key: 'SaneScanners', prop: 'saneScanners', type: type.boolean(), default: 'true',
    env: 'SCANBRIDGE_SANE_SCANNERS', flag: 'sane-scanners',
    description: 'Offer the scanners SANE (libsane) finds, on Linux and macOS.',
  }),
  setting({
    key: 'SaneLibrary', prop: 'saneLibrary', type: type.libraryOrEmpty('the system libsane'), default: '',
    env: 'SCANBRIDGE_SANE_LIBRARY', flag: 'sane-library',
    description: 'The libsane library to load (libsane.so.1 on Linux, libsane.1.dylib on macOS when empty).',
  }),
  setting({
    key: 'SaneDiscoveryInterval', prop: 'saneDiscoveryIntervalMs', type: type.seconds(0, 86400), default: '60',
    env: 'SCANBRIDGE_SANE_DISCOVERY_INTERVAL', flag: 'sane-discovery-interval',
    description: 'Seconds between looks for SANE scanners that disappeared while one is in use (its scan ends with device-gone); 0 looks only when devices are listed.',
  }),
  setting({
    key: 'Cameras', prop: 'cameras', type: type.boolean(), default: 'true',
    env: 'SCANBRIDGE_CAMERAS', flag: 'cameras',
    description: 'Offer webcams and document cameras (ids camera:...), through ffmpeg.',
  }),
  setting({
    key: 'FfmpegPath', prop: 'ffmpegPath', type: type.programOrEmpty('ffmpeg on the PATH'), default: '',
    env: 'SCANBRIDGE_FFMPEG_PATH', flag: 'ffmpeg-path',
    description: 'The ffmpeg program cameras are used through (the Debian package ffmpeg on Linux; on macOS and Windows any ffmpeg build).',
  }),
  setting({
    key: 'TestCameras', prop: 'testCameras', type: testCameraList(), default: '',
    env: 'SCANBRIDGE_TEST_CAMERAS', flag: 'test-cameras',
    description: 'Stand-ins for cameras, for tests and demos without one: each name=source becomes camera:test-<name>, a video file or lavfi graph that ffmpeg plays in a loop as a camera would send it.',
  }),
  setting({
    key: 'EsclDiscovery', prop: 'esclDiscovery', type: type.boolean(), default: 'true',
    env: 'SCANBRIDGE_ESCL_DISCOVERY', flag: 'escl-discovery',
    description: 'Look for eSCL (AirScan, Mopria) network scanners that announce themselves on the local network (mDNS, _uscan._tcp and _uscans._tcp); they need no driver.',
  }),
  setting({
    key: 'EsclScanners', prop: 'esclScanners', type: scannerUrls(), default: '',
    env: 'SCANBRIDGE_ESCL_SCANNERS', flag: 'escl-scanners',
    description: 'eSCL network scanners listed by URL (e.g. http://192.168.7.20/eSCL), separated by commas or spaces: for scanners on other subnets, where announcements do not reach. One that does not answer is listed offline.',
  }),
  setting({
    key: 'DeviceListInterval', prop: 'deviceListIntervalMs', type: type.seconds(0, 86400), default: '60',
    env: 'SCANBRIDGE_DEVICE_LIST_INTERVAL', flag: 'device-list-interval',
    description: 'Seconds between looks for scanners plugged in or removed while a page is connected (pages get a devices event when the list changes); 0 looks only when a page lists devices.',
  }),
  setting({
    key: 'DeviceWorkerIdleTimeout', prop: 'deviceWorkerIdleTimeoutMs', type: type.seconds(1, 86400), default: '60',
    env: 'SCANBRIDGE_DEVICE_WORKER_IDLE_TIMEOUT', flag: 'device-worker-idle-timeout',
    description: 'Seconds an unused device worker process (one per open scanner) stays up before it is stopped.',
  }),
  setting({
    key: 'EsclServer', prop: 'esclServer', type: type.boolean(), default: 'false',
    env: 'SCANBRIDGE_ESCL_SERVER', flag: 'escl-server',
    description: 'Share the scanners listed in EsclShare with the network as an eSCL (AirScan, Mopria) scanner server, which Windows, macOS, Linux (sane-airscan), phones and other scanbridge services scan from without a driver. It serves scanning only, never the API, sessions or pages, and keeps no page it serves.',
  }),
  setting({
    key: 'EsclShare', prop: 'esclShare', type: type.deviceIds(), default: '',
    env: 'SCANBRIDGE_ESCL_SHARE', flag: 'escl-share',
    description: 'Scanners the eSCL server shares, by device id: the first at /eSCL, the next at /eSCL-2, /eSCL-3 and so on. A shared scanner in use by a page answers busy to the network, and the reverse.',
  }),
  setting({
    key: 'EsclPort', prop: 'esclPort', type: type.port(), default: '18624',
    env: 'SCANBRIDGE_ESCL_PORT', flag: 'escl-port',
    description: 'Port of the eSCL server (0 picks any free port).',
  }),
  setting({
    key: 'EsclBindAddress', prop: 'esclBindAddress', type: type.bindAddress(), default: '0.0.0.0',
    env: 'SCANBRIDGE_ESCL_BIND_ADDRESS', flag: 'escl-bind-address',
    description: 'Address the eSCL server listens on (0.0.0.0 or :: for every network interface).',
  }),
  setting({
    key: 'EsclAllowedNetworks', prop: 'esclAllowedNetworks', type: type.networks(), default: '10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, fc00::/7, fe80::/10',
    env: 'SCANBRIDGE_ESCL_ALLOWED_NETWORKS', flag: 'escl-allowed-networks',
    description: 'Networks whose computers may scan from the eSCL server; others are refused before any request is read. Loopback may always.',
  }),
  setting({
    key: 'EsclTls', prop: 'esclTls', type: type.boolean(), default: 'false',
    env: 'SCANBRIDGE_ESCL_TLS', flag: 'escl-tls',
    description: "Serve eSCL over HTTPS with the service's own certificate (advertised as _uscans._tcp) instead of plain HTTP.",
  }),
] as const;

export type SettingKey = (typeof SETTINGS)[number]['key'];

// Compile-time check that the table fills every property of Settings.
type Missing = Exclude<keyof Settings, (typeof SETTINGS)[number]['prop']>;
const everyPropertyHasARow: [Missing] extends [never] ? true : Missing = true;
void everyPropertyHasARow;

export const SETTING_KEYS: readonly SettingKey[] = SETTINGS.map((s) => s.key);

export function settingSpec(key: SettingKey): SettingSpec {
  return SETTINGS.find((s) => s.key === key)!;
}

/** The settings when nothing is configured. */
export function defaultSettings(): Settings {
  const values: Record<string, unknown> = {};
  for (const spec of SETTINGS as readonly SettingSpec[]) {
    const parsed = spec.type.parse(spec.default);
    if (!parsed.ok) throw new Error(`bug: default of ${spec.key} is invalid: ${parsed.problem}`);
    values[spec.prop] = parsed.value;
  }
  return values as unknown as Settings;
}
