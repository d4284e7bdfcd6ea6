/** The scenarios `pnpm rehearse --scenario <name>` runs (add a module here to add one). */
import type { Scenario } from '../scenario.js';
import { coldStartScenario } from './cold-start.js';
import { defaultScenario } from './default.js';
import { redriveScenario } from './redrive.js';

export const SCENARIOS: Record<string, Scenario> = {
  [defaultScenario.name]: defaultScenario,
  [coldStartScenario.name]: coldStartScenario,
  [redriveScenario.name]: redriveScenario,
};
