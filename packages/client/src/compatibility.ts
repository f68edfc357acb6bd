/** Whether the service speaks this SDK's protocol; a mismatch is a typed error naming both versions. */
import { PROTOCOL_VERSION, ScanbridgeError } from '@scanbridge/protocol/core';
import type { ResultOf } from '@scanbridge/protocol';
import { SDK_VERSION } from './version.js';

export type ServiceInfo = ResultOf<'ServiceInfo'>[0];

export function checkCompatible(service: ServiceInfo, base: string): void {
  if (service.protocol === PROTOCOL_VERSION) return;
  const details = { serviceVersion: service.version, serviceProtocol: service.protocol, sdkVersion: SDK_VERSION, sdkProtocol: PROTOCOL_VERSION, base };
  const both = `scanbridge ${service.version} at ${base} speaks protocol ${service.protocol}; this SDK (@scanbridge/client ${SDK_VERSION}) speaks protocol ${PROTOCOL_VERSION}`;
  throw new ScanbridgeError(
    'version-mismatch',
    service.protocol < PROTOCOL_VERSION ? `${both}: the service is too old, update scanbridge` : `${both}: the SDK is too old, update @scanbridge/client`,
    details,
  );
}
