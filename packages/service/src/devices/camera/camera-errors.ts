/**
 * What ffmpeg's complaint about a camera means for the caller: another
 * program holds it (device-busy), it is gone (device-gone), the user may not
 * open it (access-denied), or something else went wrong (io-error).
 */
import { ScanbridgeError } from '@scanbridge/protocol/core';

const BUSY = /Device or resource busy|EBUSY|already in use|Could not run graph|I\/O error.*busy/i;
const GONE = /No such file or directory|No such device|ENODEV|Could not find video device|Cannot open video device|Video device is not available/i;
const DENIED = /Permission denied|EACCES|not authorized/i;

/** The last meaningful lines of ffmpeg's stderr, for a message a developer can act on. */
export function tail(stderr: string, lines = 3): string {
  return stderr
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^(ffmpeg version|built with|configuration:|lib\w+\s)/.test(l))
    .slice(-lines)
    .join(' / ');
}

export function cameraError(deviceId: string, stderr: string): ScanbridgeError {
  const said = tail(stderr);
  if (BUSY.test(stderr)) return new ScanbridgeError('device-busy', `camera "${deviceId}" is in use by another program (close it and capture again): ${said}`, { device: deviceId });
  if (DENIED.test(stderr)) return new ScanbridgeError('access-denied', `camera "${deviceId}" may not be opened by this user (on Linux: add the user to the video group): ${said}`, { device: deviceId });
  if (GONE.test(stderr)) return new ScanbridgeError('device-gone', `camera "${deviceId}" is gone (unplugged?); reconnect it and list devices again: ${said}`, { device: deviceId });
  return new ScanbridgeError('io-error', `camera "${deviceId}" failed: ${said || 'ffmpeg ended without a frame'}`, { device: deviceId });
}
