/** Everything a request handler may reach; built once by the service. */
import type { Logger } from '../util/logger.js';
import type { SessionManager } from '../buffer/session-manager.js';
import type { DeviceManager } from '../devices/device-manager.js';
import type { JobManager } from '../jobs/job-manager.js';
import type { EventHub } from './event-hub.js';
import type { ImageRenderer } from './image-renderer.js';

export interface ListenerPorts {
  http: number;
  https: number;
  welcomeHttp: number;
  welcomeHttps: number;
}

export interface ServiceContext {
  readonly startedAt: Date;
  readonly log: Logger;
  readonly sessions: SessionManager;
  readonly devices: DeviceManager;
  readonly jobs: JobManager;
  readonly hub: EventHub;
  readonly images: ImageRenderer;
  /** Actual ports once listening (0 in the settings means "any free port"). */
  readonly ports: ListenerPorts;
  readonly bindAddress: string;
  readonly maxBodyBytes: number;
  /** Set while shutting down: new work is refused with service-stopping. */
  stopping: boolean;
}
