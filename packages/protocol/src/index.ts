export * from './errors.js';
export * from './models.js';
export * from './events.js';
export * from './methods.js';
export * from './envelope.js';
export * from './validate.js';
export * from './version.js';
