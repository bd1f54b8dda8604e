#!/usr/bin/env node
/**
 * The CDK app: `npm run synth | deploy | delete`. Builds one BanguinsRelayStack from cdk.json
 * context (override with `-c stage=prod -c throttle.Transfer=2000/4000 ...`) and checks it with
 * cdk-nag's AwsSolutions rules during synthesis. A bad context value prints one line
 * (`Error [Code]: what is wrong and what to do`) and exits 1, with no stack trace.
 */
import * as path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { BanguinsRelayStack, DEFAULT_STAGE_NAME, readRelayStackContext, StackConfigError } from '../lib';

/** Where `npm run build:web` puts the built page. */
const WEB_ASSET_PATH = path.join(__dirname, '..', 'dist', 'web');

function main(): void {
  const app = new App();
  const context = readRelayStackContext(app.node);
  const stageName = context.stageName ?? DEFAULT_STAGE_NAME;
  // One stack per stage, so `-c stage=prod` deploys a second, independent relay.
  const stackName: unknown = app.node.tryGetContext('stackName') ?? `BanguinsRelay-${stageName}`;
  new BanguinsRelayStack(app, String(stackName), { ...context, webAssetPath: WEB_ASSET_PATH });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
}

try {
  main();
} catch (error) {
  if (!(error instanceof StackConfigError)) throw error;
  process.stderr.write(`Error [${error.code}]: ${error.message}\n`);
  process.exit(1);
}
