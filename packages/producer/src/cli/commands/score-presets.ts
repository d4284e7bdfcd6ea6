/** The research scores as `callthemes query --preset theme-sentiment|firm-theme-sentiment [--quarter Q]`. */

import { firmThemeSentimentSql, themeSentimentSql } from '@callthemes/common/query';
import type { Command } from 'commander';
import { quarterFrom } from '../common.js';
import { registerPreset } from './query.js';

export function registerScorePresets(_program: Command): void {
  const quarter = (q: string | undefined) => (q === undefined ? undefined : quarterFrom(q));
  registerPreset('theme-sentiment', ({ quarter: q }) => themeSentimentSql(quarter(q)));
  registerPreset('firm-theme-sentiment', ({ quarter: q }) => firmThemeSentimentSql(quarter(q)));
}
