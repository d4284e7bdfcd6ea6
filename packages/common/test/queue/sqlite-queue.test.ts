/** The WorkQueue contract on the local SQLite queue (one database file, as the local fleet uses it). */
import { join } from 'node:path';
import type { WorkQueue } from '../../src/queue/index.js';
import { SqliteWorkQueue } from '../../src/queue/sqlite-queue.js';
import { tempDir } from '../helpers/paths.js';
import { describeWorkQueueContract } from './work-queue-contract.js';

describeWorkQueueContract('SQLite (local)', async () => {
  const dir = tempDir('callthemes-sqlite-queue-');
  const path = join(dir.path, 'fleet.sqlite');
  const open: SqliteWorkQueue[] = [];
  return {
    supportsRedrive: true,
    async makeQueue(o) {
      const q = new SqliteWorkQueue({ path, ...o });
      open.push(q);
      return q;
    },
    async deadLetterBodies(queue: WorkQueue) {
      return (queue as SqliteWorkQueue).deadLetters().map((d) => d.body);
    },
    async teardown() {
      for (const q of open) await q.close();
      dir.cleanup();
    },
  };
});
