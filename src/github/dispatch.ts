import { fetch } from 'undici';

/**
 * Starts a run of a workflow: "Create a workflow dispatch event",
 * POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches with the body `{ref, inputs}`
 * (https://docs.github.com/rest/actions/workflows#create-a-workflow-dispatch-event). GitHub answers 204 No
 * Content; with `return_run_details: true` (changelog 2026-02-19) it answers 200 with `workflow_run_id`,
 * `run_url` and `html_url` instead. The token needs the `actions: write` permission (a job's GITHUB_TOKEN) or,
 * for a fine-grained personal access token, "Actions: Read and write" on the repository. A run's own
 * GITHUB_TOKEN may start one: workflow_dispatch is the exception to "events triggered by the GITHUB_TOKEN do
 * not create a new workflow run".
 *
 * Used by the relay (a link starting its successor) and by `npm run dispatch` (a member testing a token).
 * Never throws: every outcome is a result with a message a member can act on, so a failed hand-over is
 * reported and never turns a booked night into a failed one. The token never appears in a message.
 */

export interface DispatchRequest {
  /** https://api.github.com, or GITHUB_API_URL. */
  apiUrl: string;
  /** owner/name */
  repository: string;
  /** The workflow's file name (book.yml) or numeric id. */
  workflow: string;
  /** The branch or tag to run the workflow from. */
  ref: string;
  /** The workflow_dispatch inputs, as strings (GitHub passes every input to the workflow as a string). */
  inputs: Record<string, string>;
  token: string;
  /** Ask GitHub for the new run's id and URLs (a 200 instead of a 204). */
  returnRunDetails?: boolean;
  /** Abort after this long (default 30 s). */
  timeoutMs?: number;
}

export type DispatchFailure =
  | 'bad-request'
  | 'unauthorized'
  | 'forbidden'
  | 'rate-limited'
  | 'not-found'
  | 'invalid'
  | 'server'
  | 'network';

export type DispatchResult =
  | { ok: true; status: 200 | 204; message: string; runId?: string; runUrl?: string; htmlUrl?: string }
  | { ok: false; reason: DispatchFailure; status?: number; message: string };

export const GITHUB_API_VERSION = '2022-11-28';

/** The permission to add, named the way GitHub names it in both places. */
export const DISPATCH_PERMISSION =
  'give the job `permissions: actions: write` in book.yml; for a fine-grained personal access token, give it "Actions: Read and write" on this repository';

const REPOSITORY = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;
const WORKFLOW = /^(?:[A-Za-z0-9_.-]+\.ya?ml|\d+)$/;
const INPUT_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** The HTTP request, pure: URL, headers and JSON body exactly as GitHub's REST docs give them; or what is wrong. */
export function buildDispatchRequest(
  req: DispatchRequest,
): { url: string; headers: Record<string, string>; body: string } | { problem: string } {
  if (!REPOSITORY.test(req.repository)) {
    return {
      problem: `"${clip(req.repository)}" is not a repository (expected owner/name, e.g. member/padel)`,
    };
  }
  if (!WORKFLOW.test(req.workflow)) {
    return { problem: `"${clip(req.workflow)}" is not a workflow file name (expected e.g. book.yml)` };
  }
  if (!req.ref.trim() || /\s/.test(req.ref)) {
    return { problem: `"${clip(req.ref)}" is not a branch or tag (expected e.g. main)` };
  }
  const badInput = Object.keys(req.inputs).find((name) => !INPUT_NAME.test(name));
  if (badInput !== undefined)
    return { problem: `"${clip(badInput)}" is not an input name (expected e.g. dry_run)` };
  if (!req.token.trim()) return { problem: 'no token (set GITHUB_TOKEN)' };
  let base: URL;
  try {
    base = new URL(req.apiUrl);
  } catch {
    return { problem: `"${clip(req.apiUrl)}" is not a URL (expected https://api.github.com)` };
  }
  const [owner, repo] = req.repository.split('/') as [string, string];
  const path = `/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/actions/workflows/${encodeURIComponent(req.workflow)}/dispatches`;
  return {
    url: `${base.href.replace(/\/$/, '')}${path}`,
    headers: {
      accept: 'application/vnd.github+json',
      authorization: `Bearer ${req.token}`,
      'x-github-api-version': GITHUB_API_VERSION,
      'content-type': 'application/json',
      'user-agent': 'estelle-court-booker',
    },
    body: JSON.stringify({
      ref: req.ref,
      inputs: req.inputs,
      ...(req.returnRunDetails ? { return_run_details: true } : {}),
    }),
  };
}

/** Sends the dispatch; every outcome, network failures included, is a result. */
export async function dispatchWorkflow(req: DispatchRequest): Promise<DispatchResult> {
  const built = buildDispatchRequest(req);
  if ('problem' in built) return { ok: false, reason: 'bad-request', message: `Not sent: ${built.problem}.` };
  const where = `${req.workflow} in ${req.repository} at ${req.ref}`;
  let response;
  try {
    response = await fetch(built.url, {
      method: 'POST',
      headers: built.headers,
      body: built.body,
      signal: AbortSignal.timeout(req.timeoutMs ?? 30_000),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const detail = cause?.code ?? cause?.message ?? (error as Error).message;
    return {
      ok: false,
      reason: 'network',
      message: `Could not reach ${new URL(built.url).host} to start ${where} (${redact(String(detail), req.token)}). Try again; if it persists, check GitHub's status page.`,
    };
  }
  const text = await response.text().catch(() => '');
  const github = githubMessage(text, req.token);
  const status = response.status;
  if (status === 204) return { ok: true, status, message: `Started ${where}.` };
  if (status === 200) {
    const details = runDetails(text);
    return {
      ok: true,
      status,
      message: `Started ${where}${details.htmlUrl ? `: ${details.htmlUrl}` : ''}.`,
      ...details,
    };
  }
  if (status === 401) {
    return {
      ok: false,
      reason: 'unauthorized',
      status,
      message: `401: GitHub did not accept the token${github}. It may be mistyped, expired or revoked: create a new one.`,
    };
  }
  const rateLimited =
    status === 429 ||
    (status === 403 && (response.headers.get('x-ratelimit-remaining') === '0' || /rate limit/i.test(github)));
  if (rateLimited) {
    const retry = response.headers.get('retry-after');
    return {
      ok: false,
      reason: 'rate-limited',
      status,
      message: `${status}: GitHub's rate limit${github}; try again${retry ? ` in ${retry} s` : ' later'}.`,
    };
  }
  if (status === 403) {
    return {
      ok: false,
      reason: 'forbidden',
      status,
      message: `403: the token may not start workflows in ${req.repository}${github}. To fix it, ${DISPATCH_PERMISSION}.`,
    };
  }
  if (status === 404) {
    return {
      ok: false,
      reason: 'not-found',
      status,
      message: `404: no workflow ${req.workflow} in ${req.repository}${github}, or the token cannot see the repository (a fine-grained token must list it under "Repository access").`,
    };
  }
  if (status === 422) {
    return {
      ok: false,
      reason: 'invalid',
      status,
      message: `422: GitHub refused to start ${where}${github}. The branch may not exist, the workflow on it may have no workflow_dispatch trigger, or an input is one it does not declare (update book.yml).`,
    };
  }
  return {
    ok: false,
    reason: status >= 500 ? 'server' : 'invalid',
    status,
    message: `${status}: GitHub did not start ${where}${github}.${status >= 500 ? ' Try again in a minute.' : ''}`,
  };
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function redact(text: string, token: string): string {
  return token ? text.split(token).join('***') : text;
}

/** GitHub's own `message` from an error body, cut short and with the token (should it ever echo) removed. */
function githubMessage(text: string, token: string): string {
  try {
    const message = (JSON.parse(text) as { message?: unknown }).message;
    if (typeof message === 'string' && message.trim()) {
      return ` ("${redact(message.trim(), token).replace(/\s+/g, ' ').slice(0, 200)}")`;
    }
  } catch {
    // Not JSON: no message to quote.
  }
  return '';
}

function runDetails(text: string): { runId?: string; runUrl?: string; htmlUrl?: string } {
  try {
    const body = JSON.parse(text) as { workflow_run_id?: unknown; run_url?: unknown; html_url?: unknown };
    return {
      ...(typeof body.workflow_run_id === 'number' || typeof body.workflow_run_id === 'string'
        ? { runId: String(body.workflow_run_id) }
        : {}),
      ...(typeof body.run_url === 'string' ? { runUrl: body.run_url } : {}),
      ...(typeof body.html_url === 'string' ? { htmlUrl: body.html_url } : {}),
    };
  } catch {
    return {};
  }
}
