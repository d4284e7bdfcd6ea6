/** Embedders a worker shares across stages: the offline SIF embedder is loaded once per worker (~180 MB). */
import { SifEmbedder } from '@callthemes/common/embed';
import type { WorkerEnv } from './stage.js';

export function workerSif(env: WorkerEnv): Promise<SifEmbedder> {
  return env.once('sif-embedder', async () => SifEmbedder.load({ cacheDir: env.config.cacheDir }));
}
