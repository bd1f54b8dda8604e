/** Where the local relay writes its one-line records (never frame bodies). */
export interface RelayLog {
  line(text: string): void;
}

/** Writes each record to `stream` with a UTC time prefix. */
export function streamLog(stream: NodeJS.WritableStream = process.stdout): RelayLog {
  return { line: (text) => stream.write(`${new Date().toISOString().slice(11, 23)} ${text}\n`) };
}

/** Discards every record (`--quiet`, tests). */
export const silentLog: RelayLog = { line: () => undefined };
