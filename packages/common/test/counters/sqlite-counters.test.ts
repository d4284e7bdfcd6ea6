/** The Counters contract on the local SQLite counters. */
import { join } from 'node:path';
import { SqliteCounters } from '../../src/counters/sqlite-counters.js';
import { tempDir } from '../helpers/paths.js';
import { describeCountersContract } from './counters-contract.js';

describeCountersContract('SQLite (local)', async () => {
  const dir = tempDir('callthemes-sqlite-counters-');
  const open: SqliteCounters[] = [];
  let n = 0;
  return {
    async makeCounters() {
      // A database per test: the contract wants fresh, empty counters.
      const c = new SqliteCounters({ path: join(dir.path, `counters-${++n}.sqlite`) });
      open.push(c);
      return c;
    },
    async teardown() {
      for (const c of open) await c.close();
      dir.cleanup();
    },
  };
});
