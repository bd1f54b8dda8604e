import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRelayClients, POST_MAX_ATTEMPTS, POST_REQUEST_TIMEOUT_MS } from '../lambdas/adapters/relay-ports';
import { PeerBusyError, PeerConnectionGoneError } from '../lambdas/relay/errors';

type Answer = (request: IncomingMessage, response: ServerResponse) => void;

/** An `@connections` stand-in on a free port that answers every post with `answer` and counts them. */
async function connectionsEndpoint(answer: Answer): Promise<{ url: string; posts: () => number; close: () => Promise<void> }> {
  let posts = 0;
  const server: Server = createServer((request, response) => {
    posts++;
    request.resume();
    answer(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/dev`,
    posts: () => posts,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** What API Gateway answers a post to a connection that is not keeping up. */
const tooManyRequests: Answer = (_request, response) => {
  response
    .writeHead(429, { 'content-type': 'application/json', 'x-amzn-errortype': 'LimitExceededException' })
    .end(JSON.stringify({ message: 'Limit Exceeded' }));
};

/** The relay's poster for `callbackUrl`, built as a Lambda builds it (no injected transport). */
function posterFor(callbackUrl: string) {
  const clients = createRelayClients({
    tableName: 'unused',
    callbackUrl,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  return { post: clients.poster(callbackUrl), close: () => clients.connections(callbackUrl).destroy() };
}

describe('a post to @connections is tried once', () => {
  test('the client makes one attempt and gives up within about 2 s', () => {
    expect(POST_MAX_ATTEMPTS).toBe(1);
    expect(POST_REQUEST_TIMEOUT_MS).toBeLessThanOrEqual(2_000);
  });

  test('a 429 from a slow receiver is PeerBusy after one post, with no retry by the SDK', async () => {
    const endpoint = await connectionsEndpoint(tooManyRequests);
    const { post, close } = posterFor(endpoint.url);
    try {
      const failure = await post('slow-receiver=', 'chunk').catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(PeerBusyError);
      expect(((failure as PeerBusyError).cause as Error).name).toBe('LimitExceededException');
      expect(endpoint.posts()).toBe(1);
    } finally {
      close();
      await endpoint.close();
    }
  });

  test('an endpoint that never answers: the post gives up with a timeout error (PeerBusy), after one attempt', async () => {
    const endpoint = await connectionsEndpoint(() => {
      // Never answers.
    });
    const { post, close } = posterFor(endpoint.url);
    try {
      const failure = await post('hanging=', 'chunk').catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(PeerBusyError);
      expect(((failure as PeerBusyError).cause as Error).name).toBe('TimeoutError');
      expect(endpoint.posts()).toBe(1);
    } finally {
      close();
      await endpoint.close();
    }
  });

  test('a 5xx is not retried either, and still surfaces as the SDK error it is', async () => {
    const endpoint = await connectionsEndpoint((_request, response) => {
      response.writeHead(500, { 'content-type': 'application/json', 'x-amzn-errortype': 'InternalServerErrorException' }).end('{"message":"boom"}');
    });
    const { post, close } = posterFor(endpoint.url);
    try {
      const failure = await post('any=', 'chunk').catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(Error);
      expect(failure).not.toBeInstanceOf(PeerBusyError);
      expect(endpoint.posts()).toBe(1);
    } finally {
      close();
      await endpoint.close();
    }
  });

  test('a 410 is still PeerConnectionGone', async () => {
    const endpoint = await connectionsEndpoint((_request, response) => {
      response.writeHead(410, { 'content-type': 'application/json', 'x-amzn-errortype': 'GoneException' }).end('{"message":"gone"}');
    });
    const { post, close } = posterFor(endpoint.url);
    try {
      await expect(post('gone=', 'chunk')).rejects.toBeInstanceOf(PeerConnectionGoneError);
      expect(endpoint.posts()).toBe(1);
    } finally {
      close();
      await endpoint.close();
    }
  });
});
