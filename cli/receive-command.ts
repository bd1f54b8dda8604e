import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import * as path from 'node:path';
import { parsePairingLink, receiveFiles, type IncomingFile } from '../client';
import { PARTIAL_SUFFIX, savedFileNames } from '../client/safe-file-name';
import { CliError } from './cli-error';
import { nodeCryptoPort } from './node-crypto';
import { createNodeSha256, freeBytes, openPartialFileSink, pathExists } from './disk-files';
import { formatBytes } from '../client/byte-units';
import { takeLock } from './receive-lock';
import { findReceiveState, linkFingerprint, receiveLockPath, receiveStatePath, removeReceiveState, saveReceiveState, targetPaths, type SavedReceiveState } from './resume-state';
import { directPathOptions, DIRECT_BY_DEFAULT, type PathChoice } from './direct-path-options';
import { relayWebSocket } from './relay-web-socket';
import { SessionReporter, type ReportMode } from './session-reporter';

/** Options of `banguins receive`. */
export interface ReceiveCommandOptions {
  readonly out: string;
  readonly force: boolean;
  readonly mode: ReportMode;
  readonly signal?: AbortSignal;
  /** Direct path or relay only, and the ICE servers. @default try direct, host candidates only */
  readonly path?: PathChoice;
}

/**
 * `banguins receive <link>`: receives every file into `out`, each under a sanitised name. While it
 * runs, it holds a lock for the link in `out` (a second receive of it is refused), and a state file
 * in `out` (cli/resume-state.ts) lets a process started again with the same link go on where a
 * killed one stopped, under the same session id; both are removed when the receive ends.
 */
export async function runReceive(link: string, options: ReceiveCommandOptions): Promise<void> {
  const reporter = new SessionReporter(options.mode, 'receive', process.stdout, { savedNames: savedFileNames });
  const outDir = path.resolve(options.out);
  const pairing = parsePairingLink(link);
  await mkdir(outDir, { recursive: true }).catch(() => {
    throw new CliError('OutDirUnusable', `cannot create the folder ${outDir}`);
  });
  const lock = await takeLock(receiveLockPath(outDir, pairing), (pid) => `another banguins receive${pid ? ` (process ${pid})` : ''} is receiving this link into ${outDir}; let it finish or stop it first`).catch(
    (error: unknown) => {
      if (error instanceof CliError) throw error;
      throw new CliError('OutDirUnusable', `cannot write in the folder ${outDir}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
    },
  );
  try {
    await receiveUnderLock(link, pairing, outDir, options, reporter);
  } finally {
    await lock.release();
  }
}

async function receiveUnderLock(link: string, pairing: ReturnType<typeof parsePairingLink>, outDir: string, options: ReceiveCommandOptions, reporter: SessionReporter): Promise<void> {
  const stateFile = receiveStatePath(outDir, pairing);
  const found = await findReceiveState(stateFile, pairing, outDir, createNodeSha256);
  if (found.kind === 'mismatch') reporter.notice(`Not resuming: ${found.reason}; starting clean`);
  const resume = found.kind === 'resume' ? found : undefined;
  if (resume?.resuming) reporter.notice(`Resuming ${resume.resuming.name} from ${formatBytes(resume.resuming.bytes)}`);
  let state: SavedReceiveState = resume?.state ?? { link: linkFingerprint(pairing), session: randomBytes(12).toString('base64url'), done: 0 };
  const save = (next: SavedReceiveState) => saveReceiveState(stateFile, pairing, (state = next));
  try {
    save(state);
  } catch (error) {
    throw new CliError('OutDirUnusable', `cannot write in the folder ${outDir}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  const point = resume?.point;
  let targets: string[] = point ? targetPaths(outDir, point.manifest.files) : [];
  try {
    await receiveFiles({
      link,
      WebSocket: relayWebSocket(),
      createHasher: createNodeSha256,
      crypto: nodeCryptoPort,
      session: state.session,
      senderSession: state.senderSession,
      resume: point,
      ...(await directPathOptions(options.path ?? DIRECT_BY_DEFAULT, (reason) => reporter.notice(reason))),
      onEvent: (event) => {
        // Saved before the session tells the sender, which happens after this event.
        if (event.type === 'file-done') save({ ...state, done: event.fileIndex + 1 });
        reporter.event(event);
      },
      signal: options.signal,
      accept: async (files: readonly IncomingFile[]) => {
        targets = targetPaths(outDir, files);
        const total = files.reduce((n, f) => n + f.size, 0);
        const free = await freeBytes(outDir);
        if (total > free) {
          throw new CliError('NotEnoughSpace', `the sender announced ${formatBytes(total)}, more than the ${formatBytes(free)} free in ${outDir}`);
        }
        if (!options.force) {
          for (const target of targets) {
            if (await pathExists(target)) throw new CliError('FileExists', `${target} already exists (use --force to overwrite)`);
            if (await pathExists(target + PARTIAL_SUFFIX)) {
              throw new CliError('FileExists', `${target}${PARTIAL_SUFFIX} already exists and is not from this receive (move it away, or use --force to replace it)`);
            }
          }
        }
      },
      onManifest: async ({ manifest, manifestChunks, senderSession }) => save({ ...state, senderSession, manifest, manifestChunks, done: 0 }),
      openSink: async (file) => {
        const partial = resume?.partial && file.index === point?.nextFile ? resume.partial : undefined;
        const sink = await openPartialFileSink(targets[file.index]!, { force: options.force, resume: partial && { identity: partial.identity, bytes: Math.min(partial.bytes, file.size) } });
        // Saved before the session confirms the previous stream, after which the sender sends this file.
        save({ ...state, started: file.index });
        return sink;
      },
    });
  } finally {
    reporter.end();
    // A kill never gets here, so its state stays; an ended receive (done, cancelled, failed) has no use for it.
    await removeReceiveState(stateFile);
  }
  reporter.note(`Saved in ${outDir}: ${targets.map((t) => path.basename(t)).join(', ')}`);
}
