import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { NO_CREDENTIALS_MESSAGE, NO_REGION_MESSAGE } from '../scripts/check-aws-credentials';

const PROJECT_ROOT = path.join(__dirname, '..');
const TSX = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx');
const CHECK_SCRIPT = path.join(PROJECT_ROOT, 'scripts', 'check-aws-credentials.ts');

/** Runs `command` with an empty HOME and no AWS_* variables, plus `extraEnv`: a user who never set up AWS. */
function runAsNewUser(command: string, args: string[], extraEnv: Record<string, string> = {}): SpawnSyncReturns<string> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'banguins-home-'));
  try {
    return spawnSync(command, args, {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', HOME: home, ...extraEnv },
      timeout: 30_000,
    });
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
}

/** Access keys that resolve without any AWS call. */
const DUMMY_KEYS = { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLEDUMMY', AWS_SECRET_ACCESS_KEY: 'dummy-secret' };

describe('the AWS credentials check before deploy, bootstrap and delete', () => {
  test('GIVEN no credentials anywhere WHEN the check runs THEN it exits 1 with one line saying what to do', () => {
    const result = runAsNewUser(TSX, [CHECK_SCRIPT]);

    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`${NO_CREDENTIALS_MESSAGE}\n`);
    expect(result.stderr).toMatch(/`aws configure`.*AWS_PROFILE.*`aws sso login/);
  });

  test('GIVEN a profile that does not exist WHEN the check runs THEN it still says what to do, on one line', () => {
    const result = runAsNewUser(TSX, [CHECK_SCRIPT], { AWS_PROFILE: 'no-such-profile' });

    expect(result.status).toBe(1);
    expect(result.stderr.startsWith(NO_CREDENTIALS_MESSAGE)).toBe(true);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  test('GIVEN access keys and a region in the environment WHEN the check runs THEN it passes, sending nothing to AWS', () => {
    // Dummy keys: the check only resolves credentials, it makes no AWS call that would reject them.
    const result = runAsNewUser(TSX, [CHECK_SCRIPT], { ...DUMMY_KEYS, AWS_REGION: 'eu-west-1' });

    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  test('GIVEN access keys but no region anywhere WHEN the check runs THEN it exits 1 with one line, instead of landing in us-east-1', () => {
    const result = runAsNewUser(TSX, [CHECK_SCRIPT], DUMMY_KEYS);

    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`${NO_REGION_MESSAGE}\n`);
    expect(result.stderr).toMatch(/No AWS region configured.*us-east-1.*AWS_REGION=/);
  });

  test.each([
    ['access keys and AWS_DEFAULT_REGION', { ...DUMMY_KEYS, AWS_DEFAULT_REGION: 'eu-central-1' }],
    ['a profile with keys and a region in AWS_CONFIG_FILE', { AWS_PROFILE: 'work', AWS_CONFIG_FILE: '<config>' }],
  ])('GIVEN %s WHEN the check runs THEN it passes', (_how, env: Record<string, string>) => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'banguins-aws-config-'));
    try {
      const configFile = path.join(folder, 'config');
      fs.writeFileSync(configFile, '[profile work]\nregion = ap-southeast-2\naws_access_key_id = AKIAEXAMPLEDUMMY\naws_secret_access_key = dummy-secret\n');
      const withFile = Object.fromEntries(Object.entries(env).map(([name, value]) => [name, value === '<config>' ? configFile : value]));
      const result = runAsNewUser(TSX, [CHECK_SCRIPT], withFile);

      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });

  test('GIVEN no credentials and no region WHEN the CDK app synthesises (npm run synth, which skips the check) THEN it writes the template', () => {
    const scripts = (JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.synth).not.toContain('check-aws-credentials');
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'banguins-synth-'));
    try {
      // The app as `cdk synth` runs it, without bundling (seconds per function) and without the page.
      const result = runAsNewUser(TSX, [path.join(PROJECT_ROOT, 'bin', 'banguins-relay.ts')], {
        CDK_OUTDIR: outdir,
        CDK_CONTEXT_JSON: JSON.stringify({ 'aws:cdk:bundling-stacks': [], web: 'false' }),
      });

      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(fs.readdirSync(outdir)).toContain('BanguinsRelay-dev.template.json');
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  }, 120_000);

  test.each(['deploy', 'bootstrap', 'delete'])('GIVEN package.json WHEN `npm run %s` starts THEN the check runs before the web build and cdk', (script) => {
    const scripts = (JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    const steps = scripts[script]?.split('&&').map((step) => step.trim()) ?? [];

    expect(steps[0]).toBe('tsx scripts/check-aws-credentials.ts');
    expect(steps.findIndex((step) => step.includes('build:web'))).toBeGreaterThan(0);
    expect(steps.findIndex((step) => step.includes('cdk '))).toBeGreaterThan(0);
  });

  test('GIVEN no credentials WHEN `npm run deploy` runs THEN it stops at the check with its one line, before building anything', () => {
    const result = runAsNewUser('npm', ['run', '--silent', 'deploy']);

    expect(result.status).toBe(1);
    expect(result.stderr).toBe(`${NO_CREDENTIALS_MESSAGE}\n`);
    // build:web would print "Built the web page: ..." and cdk its synthesis.
    expect(result.stdout).toBe('');
  });
});
