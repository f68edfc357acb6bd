export { DemoDriver, type DemoDriverOptions } from './demo-driver.js';
export { DEMO_DEVICES, PATTERNS, type Pattern } from './capabilities.js';
export { documentId, qrText } from './page-render.js';
