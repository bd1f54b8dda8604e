import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table } from 'aws-cdk-lib/aws-dynamodb';
import { AwsSolutionsChecks } from 'cdk-nag';
import { BanguinsRelayStack } from '../lib';

/** One cdk-nag finding still standing after acknowledgments: rule, severity and where. */
interface Finding {
  readonly rule: string;
  readonly severity: string;
  readonly constructPath: string;
}

interface ValidationReport {
  readonly pluginReports?: ReadonlyArray<{
    readonly violations?: ReadonlyArray<{
      readonly ruleName: string;
      readonly severity?: string;
      readonly violatingResources?: ReadonlyArray<{ readonly constructPath?: string; readonly resourceLogicalId?: string }>;
      readonly violatingConstructs?: ReadonlyArray<{ readonly constructPath?: string; readonly resourceLogicalId?: string }>;
    }>;
  }>;
}

/**
 * Synthesises `app` with cdk-nag 3 and returns every unacknowledged finding, warnings included.
 * cdk-nag 3 reports through CDK's policy validation (validation-report.json in the cloud
 * assembly), not through annotations, and synthesis throws when any finding is left.
 */
function unacknowledgedFindings(app: App): Finding[] {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  let synthError: unknown;
  try {
    app.synth();
  } catch (error) {
    synthError = error;
  }
  const reportFile = path.join(app.outdir, 'validation-report.json');
  if (!fs.existsSync(reportFile)) throw new Error(`synthesis wrote no validation report: ${String(synthError)}`);
  const report = JSON.parse(fs.readFileSync(reportFile, 'utf8')) as ValidationReport;
  const findings = (report.pluginReports ?? []).flatMap((plugin) =>
    (plugin.violations ?? []).flatMap((violation) =>
      [...(violation.violatingResources ?? []), ...(violation.violatingConstructs ?? [])].map((resource) => ({
        rule: violation.ruleName,
        severity: violation.severity ?? 'unknown',
        constructPath: resource.constructPath ?? resource.resourceLogicalId ?? '?',
      })),
    ),
  );
  if (synthError !== undefined && findings.length === 0) throw synthError;
  return findings;
}

/** Every temp folder the tests made, removed after them. */
const tempFolders: string[] = [];

function makeTempFolder(prefix: string): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempFolders.push(folder);
  return folder;
}

/** An app writing to its own temp folder, skipping Lambda bundling: cdk-nag reads the template, not the bundles. */
function appWithoutBundling(): App {
  return new App({
    outdir: makeTempFolder('banguins-nag-'),
    context: { 'aws:cdk:bundling-stacks': [] },
  });
}

describe('cdk-nag AwsSolutions checks', () => {
  let webAssetPath: string;

  beforeAll(() => {
    webAssetPath = makeTempFolder('banguins-web-');
    fs.writeFileSync(path.join(webAssetPath, 'index.html'), '<!doctype html><title>test page</title>');
  });

  afterAll(() => {
    for (const folder of tempFolders) fs.rmSync(folder, { recursive: true, force: true });
  });

  // The report also holds the built-in CloudFormation template validation, so this checks that too.
  test('GIVEN the relay stack WHEN synthesised with AwsSolutionsChecks THEN no finding is left unacknowledged', () => {
    // GIVEN
    const app = appWithoutBundling();
    new BanguinsRelayStack(app, 'NagRelay', { webAssetPath });

    // WHEN
    const findings = unacknowledgedFindings(app);

    // THEN
    expect(findings).toEqual([]);
  }, 120_000); // CloudFormation validation and cdk-nag take ~15 s, more on a busy machine

  test('GIVEN the relay alone with alarms and a budget WHEN synthesised THEN no finding is left unacknowledged', () => {
    // GIVEN
    const app = appWithoutBundling();
    new BanguinsRelayStack(app, 'NagRelayWatched', { webAssetPath, web: false, alarmEmail: 'owner@example.com', budgetUsd: 20 });

    // WHEN
    const findings = unacknowledgedFindings(app);

    // THEN
    expect(findings).toEqual([]);
  }, 120_000); // CloudFormation validation and cdk-nag take ~15 s, more on a busy machine

  test('GIVEN a second stage in the same app WHEN synthesised THEN its acknowledgments match its own resources too', () => {
    // GIVEN
    const app = appWithoutBundling();
    new BanguinsRelayStack(app, 'NagRelayDev', { webAssetPath });
    new BanguinsRelayStack(app, 'NagRelayProd', { webAssetPath, stageName: 'prod', configureApiGatewayAccountLogging: false });

    // WHEN
    const findings = unacknowledgedFindings(app);

    // THEN
    expect(findings).toEqual([]);
  }, 120_000); // CloudFormation validation and cdk-nag take ~15 s, more on a busy machine

  test('GIVEN a table without point-in-time recovery WHEN synthesised THEN the warning is reported (the check above can fail)', () => {
    // GIVEN
    const app = appWithoutBundling();
    const stack = new Stack(app, 'NagControl');
    new Table(stack, 'Table', {
      partitionKey: { name: 'id', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    // WHEN
    const findings = unacknowledgedFindings(app);

    // THEN
    expect(findings).toContainEqual(
      expect.objectContaining({ rule: expect.stringContaining('AwsSolutions-DDB3'), constructPath: expect.stringContaining('NagControl/Table') }),
    );
  });
});
