/** The scenarios `pnpm rehearse --scenario <name>` runs (add a module here to add one). */
import type { Scenario } from '../scenario.js';
import { defaultScenario } from './default.js';

export const SCENARIOS: Record<string, Scenario> = {
  [defaultScenario.name]: defaultScenario,
};
