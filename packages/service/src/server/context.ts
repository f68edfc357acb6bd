/** Everything a request handler may reach; built once by the service. */
import type { Logger } from '../util/logger.js';
import type { SessionManager } from '../buffer/session-manager.js';
import type { DeviceManager } from '../devices/device-manager.js';
import type { EsclScannerDirectory } from '../devices/escl/discovery.js';
import type { JobManager } from '../jobs/job-manager.js';
import type { UploadManager } from '../addons/upload/upload-manager.js';
import type { EventHub } from './event-hub.js';
import type { ImageRenderer } from './image-renderer.js';
import type { Approvals } from '../security/approvals.js';
import type { ConsentRequests } from '../security/consent-requests.js';
import type { RateLimiter } from '../security/rate-limit.js';
import type { LoopbackAddress } from './loopback-listen.js';
import type { PageRecognizer } from '../formats/page-recognizer.js';

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
  /** Network (eSCL) scanners: found by mDNS, listed in EsclScanners, added by the user. */
  readonly escl: EsclScannerDirectory;
  readonly jobs: JobManager;
  /** Upload jobs: pages encoded and sent to the application's server. */
  readonly uploads: UploadManager;
  /** Recognised text of buffer pages, for searchable PDFs (the OCR engine). */
  readonly ocr: PageRecognizer;
  readonly hub: EventHub;
  readonly images: ImageRenderer;
  /** Actual ports once listening (0 in the settings means "any free port"). */
  readonly ports: ListenerPorts;
  readonly bindAddress: string;
  /** Loopback addresses each listener holds on its port: its pages are trusted only under the names of these. */
  readonly held: Record<keyof ListenerPorts, LoopbackAddress[]>;
  /**
   * The secret the service writes into the pages it serves (the demo): a page
   * presenting it to RequestAccess from a welcome origin was served by this
   * service, whatever else listens on loopback.
   */
  readonly pageGrant: string;
  /** The user account whose programs are served, or null when any account's are (AllowOtherUsers, or no way to tell). */
  readonly ownUid: number | null;
  readonly maxBodyBytes: number;
  /** Folders pages may save into (SaveFolders), by index. */
  readonly saveFolders: readonly string[];
  /** Origins the user approved (and those the administrator listed), with their tokens' hashes. */
  readonly approvals: Approvals;
  /** Access requests waiting for the user's answer on the consent page. */
  readonly consent: ConsentRequests;
  /** The consent page's address for a pending request (on the welcome port). */
  consentUrl(requestId: string): string;
  /** The local administrator token (cert/admin.token). */
  readonly adminToken: string;
  /** Calls per origin (or per anonymous caller): a burst, then a steady rate. */
  readonly limiter: RateLimiter;
  /** Images of each origin's sessions, a bucket of their own (image-route.ts). */
  readonly imageLimiter: RateLimiter;
  /** The approvals table of the welcome page (set by the consent routes). */
  approvalsHtml: () => string;
  /** Set while shutting down: new work is refused with service-stopping. */
  stopping: boolean;
}
