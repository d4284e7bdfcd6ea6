/**
 * Runs the workspace from its TypeScript sources: tsx compiles .ts on load, and a resolve hook adds the
 * `@callthemes/source` export condition so `@callthemes/<package>/<concern>` resolves to src/ instead of dist/.
 * Use: `node --import @callthemes/common/register-source main.ts` (or import it before the first workspace import).
 */
import { register } from 'node:module';
import { register as registerTsx } from 'tsx/esm/api';

const addSourceCondition =
  'export async function resolve(specifier, context, next) {' +
  " return next(specifier, { ...context, conditions: [...context.conditions, '@callthemes/source'] }); }";
register(`data:text/javascript,${encodeURIComponent(addSourceCondition)}`);
registerTsx();
