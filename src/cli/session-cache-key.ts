/**
 * `npm run session-cache-key`: book.yml's step before the cache restore. Writes the step output
 * `prefix` (session-v1-<account id>-): the restore step restores the newest entry with that prefix,
 * the save step saves prefix + run id + attempt. The account id is an HMAC of the username under the
 * cache secret (src/github/session-cache.ts), so the key never shows who the member is. Without a
 * username or a secret the output is empty and both cache steps are skipped.
 */
import * as core from '@actions/core';
import { maskSecrets, sessionCacheSecret } from '../github/inputs.ts';
import { cacheKeyPrefix } from '../github/session-cache.ts';

export function sessionCachePrefix(env: NodeJS.ProcessEnv): string {
  const username = env.ESTELLE_USERNAME?.trim();
  const secret = sessionCacheSecret(env)?.secret;
  return username && secret ? cacheKeyPrefix(username, secret) : '';
}

if (process.argv[1]?.endsWith('session-cache-key.ts')) {
  if (process.env.GITHUB_ACTIONS === 'true') maskSecrets(process.env);
  const prefix = sessionCachePrefix(process.env);
  if (process.env.GITHUB_OUTPUT) core.setOutput('prefix', prefix);
  console.log(
    prefix
      ? `Session cache key prefix: ${prefix}`
      : 'No ESTELLE_USERNAME or secret: the session is not cached (every run logs in).',
  );
}
