#!/usr/bin/env node
// The CDK app for the AWS CDK CLI (`cdk deploy --app "node bin/cdk-app.js"`): the compiled app when built,
// else the TypeScript sources through tsx. The CLI passes the output folder and context in the environment.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'dist', 'cloud', 'app.js');
let mod;
if (existsSync(built) && !process.env.CALLTHEMES_FROM_SOURCE) mod = await import(pathToFileURL(built).href);
else {
  const { register } = await import('tsx/esm/api');
  register();
  mod = await import(pathToFileURL(join(root, 'src', 'cloud', 'app.ts')).href);
}
mod.buildApp().app.synth();
