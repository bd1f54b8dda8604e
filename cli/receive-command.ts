import { mkdir } from 'node:fs/promises';
import * as path from 'node:path';
import WebSocket from 'ws';
import { receiveFiles, type IncomingFile, type WebSocketConstructor } from '../client';
import { CliError } from './cli-error';
import { createNodeSha256, freeBytes, openPartialFileSink, pathExists } from './disk-files';
import { formatBytes } from './human-units';
import { distinctNames, safeFileName } from './safe-file-name';
import { SessionReporter, type ReportMode } from './session-reporter';

/** Options of `banguins receive`. */
export interface ReceiveCommandOptions {
  readonly out: string;
  readonly force: boolean;
  readonly mode: ReportMode;
  readonly signal?: AbortSignal;
}

/** `banguins receive <link>`: receives every file into `out`, each under a sanitised name. */
export async function runReceive(link: string, options: ReceiveCommandOptions): Promise<void> {
  const reporter = new SessionReporter(options.mode, 'receive');
  const outDir = path.resolve(options.out);
  await mkdir(outDir, { recursive: true }).catch(() => {
    throw new CliError('OutDirUnusable', `cannot create the folder ${outDir}`);
  });
  let targets: string[] = [];
  await receiveFiles({
    link,
    WebSocket: WebSocket as unknown as WebSocketConstructor,
    createHasher: createNodeSha256,
    onEvent: (event) => reporter.event(event),
    signal: options.signal,
    accept: async (files: readonly IncomingFile[]) => {
      targets = distinctNames(files.map((f) => safeFileName(f.name))).map((name) => path.join(outDir, name));
      const total = files.reduce((n, f) => n + f.size, 0);
      const free = await freeBytes(outDir);
      if (total > free) {
        throw new CliError('NotEnoughSpace', `the sender announced ${formatBytes(total)}, more than the ${formatBytes(free)} free in ${outDir}`);
      }
      if (!options.force) {
        for (const target of targets) {
          if (await pathExists(target)) throw new CliError('FileExists', `${target} already exists (use --force to overwrite)`);
        }
      }
    },
    openSink: (file) => openPartialFileSink(targets[file.index]!, options.force),
  });
  reporter.note(`Saved in ${outDir}: ${targets.map((t) => path.basename(t)).join(', ')}`);
}
