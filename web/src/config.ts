/** The page's runtime configuration, read from `config.json` beside index.html. */
export interface PageConfig {
  /** The relay's ws:// or wss:// URL. */
  readonly relayUrl: string;
}

/** Thrown when config.json is missing or does not name a ws:// or wss:// relay. */
export class PageConfigError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PageConfigError';
  }
}

/** Checks a parsed config.json; PageConfigError naming what is wrong. */
export function parsePageConfig(value: unknown): PageConfig {
  const relayUrl = (value as { relayUrl?: unknown } | null)?.relayUrl;
  if (typeof relayUrl !== 'string' || !/^wss?:\/\/[^\s]+$/.test(relayUrl)) {
    throw new PageConfigError('config.json does not name the relay: expected {"relayUrl":"wss://…"}');
  }
  return { relayUrl };
}

/** Fetches and checks `config.json` next to the page. */
export async function loadPageConfig(baseUrl: string): Promise<PageConfig> {
  let response: Response;
  try {
    response = await fetch(new URL('config.json', baseUrl), { cache: 'no-store' });
  } catch (cause) {
    throw new PageConfigError('Could not load config.json: is the page server running?', { cause });
  }
  if (!response.ok) throw new PageConfigError(`Could not load config.json (HTTP ${response.status}).`);
  let body: unknown;
  try {
    body = await response.json();
  } catch (cause) {
    throw new PageConfigError('config.json is not JSON.', { cause });
  }
  return parsePageConfig(body);
}
