/**
 * Writes infra/serving/invocation.schema.json from the zod schema the Inference adapter uses, so the serving
 * image's router (Python, standard library) reads the same contract. infra/test/serving checks they agree.
 * Usage: pnpm -s gen:invocation-schema
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { invocationJsonSchema } from '@callthemes/common/inference';

const out = fileURLToPath(new URL('../infra/serving/invocation.schema.json', import.meta.url));
writeFileSync(out, `${JSON.stringify(invocationJsonSchema(), null, 2)}\n`);
console.log(`wrote ${out}`);
