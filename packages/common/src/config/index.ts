/** Settings (flags → CALLTHEMES_* → config file → defaults), quarters, and the deployment defaults. */
export {
  type CloudConfig,
  DEFAULT_CONFIG,
  FLEET_METRICS,
  FLEET_NAMES,
  MAX_RECEIVE_COUNT,
  STACK_OUTPUT_KEYS,
  type StackOutputKey,
} from './deployment.js';
export {
  compareQuarters,
  formatQuarter,
  isQuarter,
  nextQuarter,
  parseQuarter,
  parseQuarterRange,
  previousQuarter,
  type Quarter,
  quarterOfDate,
} from './quarter.js';
export {
  type ConfigFile,
  envNameFor,
  intSetting,
  loadConfigFile,
  numberSetting,
  secretFromEnv,
  settingValue,
  stringSetting,
} from './settings.js';
export { hasUrlPassword, redactUrlPasswords } from './url-passwords.js';
