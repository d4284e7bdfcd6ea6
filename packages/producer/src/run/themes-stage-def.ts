/**
 * Stage 2 in `callthemes run`: the quarter's themes from its topics, one job per quarter (after every firm batch
 * of the quarter), run on a pool worker. Theme names come from the LLM with `--llm-url`, keywords otherwise.
 */
import { sqlString } from '@callthemes/common/lake';
import { LakeQuery } from '@callthemes/common/query';
import { runThemeStage, THEME_STAGE } from '@callthemes/theme-worker';
import { workerSif } from './embedders.js';
import { stampManifest } from './resume.js';
import { serviceFlags, workerServices } from './services.js';
import type { StageDef } from './stage.js';

/** Ids of the firms with topics in the lake for the quarter, sorted: what the quarter's themes are built from. */
async function firmsWithTopics(env: { store: import('@callthemes/common/lake').LakeStore }, quarter: string) {
  const q = await LakeQuery.open(env.store);
  try {
    const rows = await q.rows(`SELECT DISTINCT firm_id FROM topics WHERE quarter = ${sqlString(quarter)}`);
    return rows.map((r) => String(r.firm_id)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  } finally {
    q.close();
  }
}

export const themesStage: StageDef = {
  name: THEME_STAGE,
  unit: 'firms',
  tables: ['themes', 'topic_themes', 'theme_links'],
  batching: 'quarter',
  settings: (config) => ({
    namer: serviceFlags(config).llmModel ?? 'keywords',
    keywordVectors: 'sif-wink-sg-100d',
    seed: config.seed,
  }),
  async plan(env, quarter) {
    const items = await firmsWithTopics(env, quarter);
    return {
      items,
      shared: null,
      note: items.length === 0 ? 'no topics of the quarter in the lake' : undefined,
    };
  },
  async prepare(env) {
    await workerSif(env);
    await workerServices(env);
  },
  async runBatch(env, task) {
    const services = await workerServices(env);
    const res = await runThemeStage({
      store: env.store,
      quarter: task.quarter,
      runId: env.config.runId,
      model: { seed: env.config.seed },
      keywordEmbedder: await workerSif(env),
      namer: services.themeNamer ?? undefined,
    });
    await stampManifest(env.store, task.quarter, THEME_STAGE, 0, task.fingerprint);
    return {
      itemsOk: res.stats.firms,
      itemsRejected: 0,
      counts: { themes: res.stats.themes, topics: res.stats.topics, links: res.links.length },
      interrupted: false,
    };
  },
  describeItem: () => null,
};
