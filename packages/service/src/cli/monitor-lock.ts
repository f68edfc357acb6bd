/** The monitor's pid file in the service folder, read by `status` and `stop` without loading the monitor. */
export const MONITOR_LOCK = 'monitor.lock';
