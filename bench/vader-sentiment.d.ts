/** The reference VADER implementation (npm `vader-sentiment`, untyped), used as a baseline in benchmarks. */
declare module 'vader-sentiment' {
  const vader: {
    SentimentIntensityAnalyzer: {
      polarity_scores(text: string): { neg: number; neu: number; pos: number; compound: number };
    };
  };
  export default vader;
}
