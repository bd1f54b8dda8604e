import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { LocalRelay } from '../local/local-relay';
import { sendOneFile } from '../support/node-client';
import { startRelayInTheMiddle, type RelayInTheMiddle } from '../support/relay-in-the-middle';
import { startTestRelay } from './support/start-test-relay';

describe('a relay-in-the-middle in front of the local relay', () => {
  let relay: LocalRelay;
  let mitm: RelayInTheMiddle;
  let work: string;

  beforeAll(async () => {
    relay = await startTestRelay();
    work = await mkdtemp(path.join(tmpdir(), 'banguins-mitm-'));
  });
  afterAll(async () => {
    await relay.close();
    await rm(work, { recursive: true, force: true });
  });
  beforeEach(async () => {
    mitm = await startRelayInTheMiddle(relay.url);
  });
  afterEach(async () => {
    await mitm.close();
  });

  it('passes a transfer through unchanged when it lets every frame by', async () => {
    const content = randomBytes(300_000);
    const received = await sendOneFile(mitm.url, content);
    expect(received.equals(content)).toBe(true);
    expect(mitm.connections.length).toBe(2);
    expect(mitm.connections.every((c) => c.connectionId !== undefined)).toBe(true);
  });
});
