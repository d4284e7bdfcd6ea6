/** Settings (flags → CALLTHEMES_* → config file → defaults), quarters, and the deployment defaults. */
export * from './deployment.js';
export * from './quarter.js';
export * from './settings.js';
export * from './url-passwords.js';
