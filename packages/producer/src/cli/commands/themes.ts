/** `callthemes themes`: the theme stage for one quarter — cross-firm themes from its topics, with lineage. */

import { numberSetting, settingValue, stringSetting } from '@callthemes/common/config';
import { cacheDirFrom, SifEmbedder } from '@callthemes/common/embed';
import { namersFor } from '@callthemes/common/naming';
import type { Reduction, ThemeModelOptions } from '@callthemes/common/themes';
import { runThemeStage, writeScoreTables } from '@callthemes/theme-worker';
import type { Command } from 'commander';
import {
  addIntFlags,
  addLakeOption,
  intFlagsFrom,
  intOption,
  lakeFrom,
  newRunId,
  quarterFrom,
  UsageError,
  withExample,
} from '../common.js';
import { addNamerOptions, inferenceFrom } from '../service-options.js';

function numberOption(key: string, value: unknown, min: number, max: number): number | undefined {
  if (settingValue(key, value) === undefined) return undefined;
  let n: number;
  try {
    n = numberSetting(key, value, 0);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (n < min || n > max)
    throw new UsageError(`invalid ${key} "${n}": expected a number in [${min}, ${max}]`);
  return n;
}

function optionalInt(key: string, value: unknown, min: number): number | undefined {
  return settingValue(key, value) === undefined ? undefined : intOption(key, value, min, min);
}

export function registerThemes(program: Command): void {
  const cmd = program
    .command('themes')
    .description(
      "the theme stage: cluster a quarter's topics across firms into validated, named themes linked to the previous quarter",
    )
    .option('--quarter <q>', 'quarter, e.g. 2021Q2')
    .option('--min-firms <n>', 'a theme needs at least this many firms (default 3)')
    .option(
      '--max-dominance <share>',
      'no firm may hold more than this share of a theme’s topics (default 0.4)',
    )
    .option('--min-cluster-size <n>', 'smallest theme in topics (default max(10, topics / 1000))')
    .option('--min-samples <n>', 'HDBSCAN min_samples (default 3)')
    .option('--reduction <kind>', 'pca | umap | none (default umap)')
    .option('--selection <kind>', 'HDBSCAN cluster selection: leaf | eom (default leaf; eom can collapse)')
    .option('--dims <n>', 'dimensions after reduction (default 5)')
    .option('--umap-epochs <n>', 'UMAP optimisation epochs (default 100; 0 = spectral layout only)')
    .option(
      '--attach-noise-at <cos>',
      'noise topics join a close theme at this cosine (default 0.75; 1 = never)',
    )
    .option('--keyword-vectors <on|off>', 'also cluster on embedded topic keywords (default on)')
    .option('--keyword-weight <w>', 'weight of the keyword vector against the centroid (default 1)')
    .option(
      '--cache-dir <dir>',
      'cache folder for the word vectors (default .cache; env CALLTHEMES_CACHE_DIR)',
    )
    .option('--previous <q|none>', 'quarter to link to (default: latest earlier quarter with themes)')
    .option(
      '--threads <n>',
      'HNSW threads (default 1, reproducible; 2 is faster but not bit-for-bit repeatable)',
    );
  addIntFlags(cmd, 'seed');
  addLakeOption(cmd);
  // The theme stage reads only the lake's topics (no source) and embeds keywords offline; --llm-url names the
  // themes with the LLM.
  addNamerOptions(cmd);
  withExample(cmd, 'callthemes themes --quarter 2021Q2 --lake ./lake');
  cmd.action(async (opts) => {
    const quarter = quarterFrom(opts.quarter);
    const reduction = stringSetting('reduction', opts.reduction, 'umap');
    if (!['pca', 'umap', 'none'].includes(reduction))
      throw new UsageError(`invalid reduction "${reduction}": expected pca, umap or none`);
    const selection = stringSetting('selection', opts.selection, 'leaf');
    if (selection !== 'leaf' && selection !== 'eom')
      throw new UsageError(`invalid selection "${selection}": expected leaf or eom`);
    const model: ThemeModelOptions = {
      minFirms: optionalInt('minFirms', opts.minFirms, 1),
      maxDominance: numberOption('maxDominance', opts.maxDominance, 0, 1),
      minClusterSize: optionalInt('minClusterSize', opts.minClusterSize, 2),
      minSamples: optionalInt('minSamples', opts.minSamples, 1),
      reduction: reduction as Reduction,
      selection,
      dims: optionalInt('dims', opts.dims, 2),
      umapEpochs:
        settingValue('umapEpochs', opts.umapEpochs) === undefined
          ? undefined
          : intOption('umapEpochs', opts.umapEpochs, 0, 0),
      attachNoiseAt: numberOption('attachNoiseAt', opts.attachNoiseAt, -1, 2),
      seed: intFlagsFrom(opts, 'seed').seed,
      threads: optionalInt('threads', opts.threads, 1),
    };
    for (const k of Object.keys(model) as (keyof ThemeModelOptions)[])
      if (model[k] === undefined) delete model[k];
    let previousQuarter: string | null | undefined;
    const prev = stringSetting('previous', opts.previous);
    if (prev !== undefined) previousQuarter = prev.toLowerCase() === 'none' ? null : quarterFrom(prev);
    const kv = stringSetting('keywordVectors', opts.keywordVectors, 'on').toLowerCase();
    if (kv !== 'on' && kv !== 'off')
      throw new UsageError(`invalid keywordVectors "${kv}": expected on or off`);
    const keywordWeight = numberOption('keywordWeight', opts.keywordWeight, 0, 100);
    const store = lakeFrom(opts);
    const keywordEmbedder =
      kv === 'on' ? SifEmbedder.load({ cacheDir: cacheDirFrom(opts.cacheDir) }) : undefined;
    const inference = await inferenceFrom(opts, store);
    const res = await runThemeStage({
      namer: namersFor(inference, { log: (l) => process.stderr.write(`${l}\n`) }).themeNamer,
      store,
      quarter,
      runId: newRunId(),
      model,
      previousQuarter,
      keywordEmbedder,
      keywordWeight,
    }).finally(() => inference.close());
    // The research scores of the quarter's new themes (from the labels in the lake).
    const scores = await writeScoreTables(store, quarter);
    const s = res.stats;
    if (s.degenerate)
      process.stderr.write(`${quarter}: WARNING the themes look degenerate: ${s.degenerate}\n`);
    process.stdout.write(
      `${quarter}: ${s.topics} topics of ${s.firms} firms → ${s.themes} themes ` +
        `(${s.clusters} clusters; failed: ${s.failedFewFirms} with < min firms, ${s.failedDominance} dominated, ${s.failedFiller} filler, ` +
        `${s.topicsInFailedClusters} topics left unthemed), coverage ${(100 * s.coverage).toFixed(1)}%, ` +
        `${res.links.length} links to ${res.previousQuarter ?? 'no earlier quarter'}, ` +
        `${res.rejects} rejected topics, ${scores.themes} theme score rows, ${res.seconds.total.toFixed(1)} s\n`,
    );
  });
}
