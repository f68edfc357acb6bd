/**
 * @scanbridge/client: the browser SDK of scanbridge. It imports only
 * @scanbridge/protocol and browser APIs (fetch, WebSocket, DOM), never Node
 * modules (a test checks the bundle).
 */
export { connect, serviceBase, DEFAULT_PORTS, type ConnectOptions } from './connect.js';
export {
  ScanbridgeClient,
  type ClientEvents,
  type ConnectionChange,
  type ConnectionState,
  type ReconnectOptions,
  type SavedBlob,
  type SaveOptions,
  type SessionChange,
  type WebSocketClass,
} from './client.js';
export { ScanJob, jobError, type JobProgress, type ScanJobEvents } from './scan-job.js';
export { UploadJob, uploadError, type UploadJobEvents } from './upload-job.js';
export { resolveDestination, type PageUploadOptions, type UploadParams } from './page-upload.js';
export { imageUrl, versionCode, type ImageUrlParts } from './image-url.js';
export { BrowserCamera, listBrowserCameras, type BrowserCameraInfo } from './browser-camera.js';
export { wrapperName, type MethodWrappers, type Unwrapped, type Wrapper } from './method-wrappers.js';
export { showInstallDialog, type InstallDialogOptions } from './install-dialog.js';
export { showConsentDialog, type ConsentPrompt, type ConsentUi } from './consent-dialog.js';
export type { AccessOptions } from './access.js';
export { checkCompatible, type ServiceInfo } from './compatibility.js';
export { DEFAULT_INSTALL_URL, type CallOptions } from './transport.js';
export { SDK_VERSION } from './version.js';
export { Emitter, type Listener } from './emitter.js';
export { ScanbridgeError, PROTOCOL_VERSION } from '@scanbridge/protocol/core';
export type { ErrorCode, PageInfo, JobInfo, Capabilities, DeviceInfo, ScanSettingsInput, UploadInfo, UploadDestination, BarcodeFormat, BarcodeRegion, BarcodeResult, PageBarcodes, DocumentInfo, DocumentCode, SplitRuleInput, PatchCodeText, OcrPage, OcrBlock, OcrLine, OcrWord, OcrBox, OcrOutput, PageText, PageOrientation } from '@scanbridge/protocol';
