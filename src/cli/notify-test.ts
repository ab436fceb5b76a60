import { loadDotEnv } from '../env.ts';
import { readInputs } from '../github/inputs.ts';
import { defaultReporter } from '../github/reporter.ts';
import { sendDiscord } from '../notify/discord.ts';
import { buildTestMessage } from '../notify/message.ts';

/**
 * `npm run notify:test` (and the `notify_test` input of book.yml): sends one test message to
 * DISCORD_WEBHOOK_URL. Exits 1 when the message was not delivered, so a wrong URL shows up red.
 */
async function main(): Promise<number> {
  loadDotEnv();
  const { inputs } = readInputs(process.env, { mask: process.env.GITHUB_ACTIONS === 'true' });
  const reporter = defaultReporter();
  const result = await sendDiscord(
    inputs.discordWebhookUrl,
    buildTestMessage({
      ...(inputs.github.runUrl ? { runUrl: inputs.github.runUrl } : {}),
      ...(inputs.github.repository ? { repository: inputs.github.repository } : {}),
    }),
    { reporter },
  );
  if (result.sent) {
    reporter.info('Test message sent to Discord.');
    return 0;
  }
  if (result.skipped) {
    reporter.error(
      'Set DISCORD_WEBHOOK_URL (a repository secret, or .env locally) to the webhook URL from Discord.',
    );
  }
  return 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  },
);
