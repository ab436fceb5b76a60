import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the stand-in received. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Close the connection without answering (a network failure). */
  hangUp?: boolean;
}

/**
 * A local stand-in for GitHub's REST API on 127.0.0.1: records every request and answers with `reply`. It knows
 * only the workflow dispatch endpoint and answers like GitHub: 204 for a good request, 404 for an unknown
 * workflow, 422 for a missing ref, 401 without a bearer token.
 */
export async function startGitHubStandIn(
  reply?: (req: SeenRequest) => Reply | undefined,
): Promise<{ url: string; seen: SeenRequest[]; stop: () => Promise<void> }> {
  const seen: SeenRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        // keep the raw text
      }
      const request: SeenRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body,
      };
      seen.push(request);
      const answer = reply?.(request) ?? defaultReply(request);
      if (answer.hangUp) {
        req.socket.destroy();
        return;
      }
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(answer.body === undefined ? undefined : JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function defaultReply(req: SeenRequest): Reply {
  const match = /^\/repos\/([^/]+)\/([^/]+)\/actions\/workflows\/([^/]+)\/dispatches$/.exec(req.url);
  if (req.method !== 'POST' || !match) return { status: 404, body: { message: 'Not Found' } };
  if (!/^Bearer \S+$/.test(String(req.headers.authorization ?? ''))) {
    return { status: 401, body: { message: 'Requires authentication' } };
  }
  if (match[3] !== 'book.yml') return { status: 404, body: { message: 'Not Found' } };
  const body = req.body as { ref?: unknown; return_run_details?: unknown };
  if (body?.ref !== 'main')
    return { status: 422, body: { message: 'No ref found for: ' + String(body?.ref) } };
  if (body.return_run_details === true) {
    return {
      status: 200,
      body: {
        workflow_run_id: 16250421400,
        run_url: `https://api.github.com/repos/${match[1]}/${match[2]}/actions/runs/16250421400`,
        html_url: `https://github.com/${match[1]}/${match[2]}/actions/runs/16250421400`,
      },
    };
  }
  return { status: 204 };
}
