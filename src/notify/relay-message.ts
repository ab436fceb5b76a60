import { DateTime } from 'luxon';
import type { APIEmbedField } from 'discord-api-types/v10';
import type { BrokenLink } from '../relay/chain.ts';
import { DISCORD_LIMITS, truncate, type DiscordMessage } from './discord.ts';

/**
 * The morning message about last night's broken relay links (src/relay/chain.ts brokenLinks), so a link that
 * handed over but whose successor never started is found on Discord, not by a lost court. Mentions are
 * disabled; every text is the bot's own or was checked when it was recorded.
 */
export function buildBrokenChainMessage(
  broken: readonly BrokenLink[],
  ctx: { runUrl?: string; timeZone?: string; now: number; username?: string },
): DiscordMessage {
  const zone = ctx.timeZone ?? 'Europe/London';
  const nights = [...new Set(broken.map((b) => b.night))];
  const anyUnbooked = broken.some((b) => !b.booked);
  const fields: APIEmbedField[] = nights.slice(0, DISCORD_LIMITS.fields - 1).map((night) => {
    const ofNight = broken.filter((b) => b.night === night);
    const first = ofNight[0]!;
    const release = DateTime.fromISO(first.releaseAt, { setZone: true })
      .setZone(zone)
      .toFormat('ccc d LLL HH:mm ZZZZ');
    return {
      name: truncate(`Release ${release} (court date ${first.courtDate})`, DISCORD_LIMITS.fieldName),
      value: truncate(
        [
          ...ofNight.map((b) => `• ${b.message}`),
          first.booked
            ? 'The court was booked anyway (another run carried it).'
            : 'No run booked that court.',
        ].join('\n'),
        DISCORD_LIMITS.fieldValue,
      ),
    };
  });
  if (ctx.runUrl) fields.push({ name: 'Run', value: `[Open the run that found it](${ctx.runUrl})` });
  return {
    payload: {
      username: ctx.username ?? 'Court booker',
      allowed_mentions: { parse: [] },
      embeds: [
        {
          title: anyUnbooked ? '⛓️ The relay broke last night' : '⛓️ A relay link broke last night',
          description:
            'A run handed over to a successor that never started (or could not hand over). ' +
            'Check the Actions tab; if the dispatch was refused, give book.yml `permissions: actions: write`. ' +
            'For a start to the minute, add an external trigger (docs/nightly-run.md, "A start to the minute").',
          color: anyUnbooked ? 0xe74c3c : 0xf1c40f,
          fields,
          timestamp: new Date(ctx.now).toISOString(),
          footer: { text: 'Estelle Manor · padel' },
        },
      ],
    },
    attachments: [],
  };
}
