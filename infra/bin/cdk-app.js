#!/usr/bin/env node
// The CDK app for the AWS CDK CLI (`cdk deploy --app "node bin/cdk-app.js"`): the compiled app when built, else
// the TypeScript sources. The CLI passes the output folder and context in the environment.
import { loadApp } from './load-app.js';

(await loadApp()).buildApp().app.synth();
