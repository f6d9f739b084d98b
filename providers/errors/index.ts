export * from './provider-error.js';
export * from './validation-error.js';
export * from './auth-error.js';
export * from './rate-limit-error.js';
export * from './transient-error.js';
export * from './unknown-outcome-error.js';
export * from './not-editable-error.js';
