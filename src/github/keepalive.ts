import { fileURLToPath } from 'node:url';
import { fetch } from 'undici';

/**
 * GitHub disables the schedules of a repository with no activity for 60 days. Status commits keep
 * the repository alive while bookings run; when none are due, a twice-monthly job calls the
 * "enable a workflow" API (PUT /repos/{owner}/{repo}/actions/workflows/{workflow}/enable) for the
 * scheduled workflows, which resets the inactivity timer without a commit. The GITHUB_TOKEN of
 * that job needs `actions: write`.
 */
export const KEEPALIVE_WORKFLOWS = ['book.yml', 'canary.yml', 'watch.yml', 'keepalive.yml'];

export interface KeepaliveOptions {
  apiUrl: string;
  repository: string;
  token: string;
  workflows?: string[];
}

export interface KeepaliveResult {
  workflow: string;
  ok: boolean;
  status?: number;
  message: string;
}

export async function keepWorkflowsAlive(opts: KeepaliveOptions): Promise<KeepaliveResult[]> {
  const results: KeepaliveResult[] = [];
  for (const workflow of opts.workflows ?? KEEPALIVE_WORKFLOWS) {
    const url = `${opts.apiUrl.replace(/\/$/, '')}/repos/${opts.repository}/actions/workflows/${encodeURIComponent(workflow)}/enable`;
    try {
      const response = await fetch(url, {
        method: 'PUT',
        headers: {
          accept: 'application/vnd.github+json',
          authorization: `Bearer ${opts.token}`,
          'x-github-api-version': '2022-11-28',
          'user-agent': 'estelle-court-booker-keepalive',
        },
        signal: AbortSignal.timeout(30_000),
      });
      const body = await response.text();
      const ok = response.status === 204 || response.status === 200;
      results.push({
        workflow,
        ok,
        status: response.status,
        message: ok
          ? `${workflow}: enabled (schedule kept alive)`
          : response.status === 403
            ? `${workflow}: 403, the token cannot enable workflows; give the job \`permissions: actions: write\``
            : response.status === 404
              ? `${workflow}: 404, no such workflow in ${opts.repository}`
              : `${workflow}: HTTP ${response.status} ${body.slice(0, 200)}`,
      });
    } catch (error) {
      results.push({
        workflow,
        ok: false,
        message: `${workflow}: request failed (${(error as Error).message})`,
      });
    }
  }
  return results;
}

async function main(): Promise<void> {
  const token = process.env.GITHUB_TOKEN;
  const repository = process.env.GITHUB_REPOSITORY;
  if (!token || !repository) {
    console.error(
      'keepalive: GITHUB_TOKEN and GITHUB_REPOSITORY must be set (they are, inside GitHub Actions).',
    );
    process.exitCode = 1;
    return;
  }
  const results = await keepWorkflowsAlive({
    apiUrl: process.env.GITHUB_API_URL ?? 'https://api.github.com',
    repository,
    token,
  });
  for (const r of results) (r.ok ? console.log : console.error)(r.message);
  if (results.some((r) => !r.ok)) process.exitCode = 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main();
}
