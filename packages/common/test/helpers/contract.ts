/** The frame every port contract (WorkQueue, Counters) runs its tests in, on whichever adapter it is given. */
import { afterAll, beforeAll, describe } from 'vitest';

/**
 * A describe block that sets the adapter up once before its tests and tears it down after; skipped, with
 * nothing started, when `options.skip` gives a reason. `tests` receives the adapter's env, filled before any
 * test runs.
 */
export function describeContract<Env extends { teardown(): Promise<void> }>(
  title: string,
  setup: () => Promise<Env>,
  options: { skip?: string | null },
  tests: (env: Env) => void,
): void {
  describe(title, { skip: Boolean(options.skip) }, () => {
    const env = {} as Env;
    beforeAll(async () => {
      Object.assign(env, await setup());
    });
    afterAll(async () => {
      // Absent when setup failed: nothing to tear down.
      await env.teardown?.();
    });
    tests(env);
  });
}

/**
 * A port's contract as a suite to run on each adapter: `describeX(adapterName, setup, { skip })` runs `tests`
 * under the title `<kind>: <adapterName>`, with the adapter's env and name.
 */
export function contractSuite<Env extends { teardown(): Promise<void> }>(
  kind: string,
  tests: (env: Env, name: string) => void,
): (name: string, setup: () => Promise<Env>, options?: { skip?: string | null }) => void {
  return (name, setup, options = {}) =>
    describeContract(`${kind}: ${name}`, setup, options, (env) => tests(env, name));
}
