import { fileURLToPath } from 'node:url';
import { loadDotEnv } from '../env.ts';
import { dispatchWorkflow, type DispatchRequest } from '../github/dispatch.ts';
import { parseCommandLine, runCli, UsageError } from './args.ts';

const USAGE = `Usage: npm run dispatch -- --repo OWNER/REPO [options]

Starts the booking workflow with the same workflow_dispatch request an external scheduler sends, using the
token in GITHUB_TOKEN (or GH_TOKEN; from .env locally), so you can check a token before you give it to one.
Without --book the run only sends a test message to Discord (notify_test): nothing is booked.

  --repo OWNER/REPO    the repository (default GITHUB_REPOSITORY)
  --ref BRANCH         the branch to run the workflow from (default main)
  --workflow FILE      the workflow file (default book.yml)
  --book               start a real booking run (dry_run false), exactly as the scheduler would
  --source LABEL       how the run records its sender (default "npm run dispatch")
  --input NAME=VALUE   another workflow input (repeatable)
  --api-url URL        default GITHUB_API_URL, else https://api.github.com
  -h, --help

Exit codes: 0 started; 1 not started (the message says why and what to change); 2 wrong arguments.`;

/** The request `npm run dispatch` sends for these arguments (pure, for the tests). */
export function requestFromArgs(argv: string[], env: NodeJS.ProcessEnv, now: Date): DispatchRequest | 'help' {
  const { values } = parseCommandLine(
    argv,
    {
      repo: { type: 'string' },
      ref: { type: 'string' },
      workflow: { type: 'string' },
      book: { type: 'boolean' },
      source: { type: 'string' },
      input: { type: 'string', multiple: true },
      'api-url': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    USAGE,
    0,
  );
  if (values.help) return 'help';
  const repository = values.repo ?? env.GITHUB_REPOSITORY?.trim();
  if (!repository)
    throw new UsageError('--repo OWNER/REPO is missing (the repository to start the run in)', USAGE);
  const token = (env.GITHUB_TOKEN ?? env.GH_TOKEN ?? '').trim();
  if (!token) {
    throw new UsageError(
      'no token: set GITHUB_TOKEN to a fine-grained personal access token with "Actions: Read and write" on this repository only',
      USAGE,
    );
  }
  const inputs: Record<string, string> = {
    ...(values.book ? { dry_run: 'false' } : { notify_test: 'true' }),
    trigger: 'external',
    source: values.source ?? 'npm run dispatch',
    dispatched_at: now.toISOString(),
  };
  for (const pair of values.input ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0)
      throw new UsageError(`--input "${pair}" is not NAME=VALUE (e.g. --input date=2026-12-10)`, USAGE);
    inputs[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return {
    apiUrl: values['api-url'] ?? env.GITHUB_API_URL?.trim() ?? 'https://api.github.com',
    repository,
    workflow: values.workflow ?? 'book.yml',
    ref: values.ref ?? 'main',
    inputs,
    token,
    returnRunDetails: true,
  };
}

async function main(): Promise<number> {
  loadDotEnv();
  const request = requestFromArgs(process.argv.slice(2), process.env, new Date());
  if (request === 'help') {
    console.log(USAGE);
    return 0;
  }
  console.log(
    `POST ${request.apiUrl.replace(/\/$/, '')}/repos/${request.repository}/actions/workflows/${request.workflow}/dispatches`,
  );
  console.log(`  ${JSON.stringify({ ref: request.ref, inputs: request.inputs })}`);
  const result = await dispatchWorkflow(request);
  if (result.ok) {
    console.log(`✓ ${result.status}: ${result.message}`);
    console.log('  The token works: an external scheduler may send this same request.');
    return 0;
  }
  console.error(`✗ ${result.message}`);
  return 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) runCli(main);
