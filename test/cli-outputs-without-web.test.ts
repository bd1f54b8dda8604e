import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { resolveRelayTarget } from '../cli/relay-target';

/** A stack deployed with `-c web=false` writes outputs without WebUrl; the CLI still finds its relay. */
describe('deploy outputs of a relay without the web page', () => {
  let folder: string;

  beforeAll(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'banguins-outputs-'));
    await mkdir(path.join(folder, 'cdk.out'));
    await writeFile(
      path.join(folder, 'cdk.out', 'outputs.json'),
      JSON.stringify({
        'BanguinsRelay-dev': {
          RelayUrl: 'wss://abc123.execute-api.eu-west-1.amazonaws.com/dev',
          CallbackUrl: 'https://abc123.execute-api.eu-west-1.amazonaws.com/dev',
          RelayKeySecretArn: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:RelayKey-abc',
          ConnectionsTableName: 'BanguinsRelay-dev-Connections',
        },
      }),
    );
  });
  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  test('GIVEN outputs.json without WebUrl WHEN the relay is resolved THEN it is the RelayUrl, with no page URL', async () => {
    const target = await resolveRelayTarget({ cwd: folder, relayKey: 'given-key-0123456789' });
    expect(target).toEqual({ url: 'wss://abc123.execute-api.eu-west-1.amazonaws.com/dev?key=given-key-0123456789', source: 'cdk.out/outputs.json' });
  });
});
