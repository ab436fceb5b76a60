import type { Page } from 'playwright';
import { SessionLostError } from './errors.ts';
import { showDay, walkToDayView } from './navigate.ts';
import type { VenueContext } from './page-tools.ts';
import { pageLib, type SlotSeen } from './page/index.ts';
import { formatSlot, type VenueProfile } from './profile.ts';

/**
 * One look of the watch for cancellations at a court date's availability: the day view by the site's
 * click path (the same walk the nightly run arms with), the day shown the way the profile says, and
 * each watched row's times checked against the slots with the same slot choice the fire uses
 * (pageLib.chooseSlot: the preferred court first, else any court free at that time). It only reads:
 * nothing is clicked beyond Show Availability.
 */

/** What the watch looks for on one row: its times still before their cut-off, in order. */
export type LookFor = { key: string; date: string; times: string[]; preferredCourt?: string };

/** What one look found for one row. */
export type RowSeen = {
  key: string;
  /** The first free slot matching the row (its first time that has one; the preferred court first). */
  free?: { time: string; court: string };
  /** What the look saw, for the status file and the summary: "19:00 full, 20:00 full". */
  seen: string;
};

export type DayLook =
  | { kind: 'slots'; rows: RowSeen[]; slots: number }
  | { kind: 'not-open'; text: string }
  | { kind: 'busy'; status: number };

/** The rows' matches among the slots the day view shows (pure). */
export function matchSlots(
  slots: readonly SlotSeen[],
  row: LookFor,
  profile: Pick<VenueProfile, 'slots' | 'timeZone' | 'locale'>,
): RowSeen {
  const notes: string[] = [];
  for (const time of row.times) {
    const expected = formatSlot(row.date, time, profile.slots.time.format, profile);
    const pick = pageLib.chooseSlot([...slots], expected, row.preferredCourt, []);
    if (pick) {
      return {
        key: row.key,
        free: { time, court: pick.court },
        seen: [...notes, `free: ${pick.court || 'a court'} at ${time}`].join(', '),
      };
    }
    const atTime = slots.filter((s) => pageLib.norm(s.time) === pageLib.norm(expected));
    notes.push(atTime.length === 0 ? `${time} not shown` : `${time} full`);
  }
  return { key: row.key, seen: notes.join(', ') };
}

/** Looks at `date`'s day view once and matches every row of that date. */
export async function lookAtDay(
  page: Page,
  ctx: VenueContext,
  date: string,
  rows: readonly LookFor[],
): Promise<DayLook> {
  await walkToDayView(page, ctx, date);
  const shown = await showDay(page, ctx, date);
  if (shown.kind === 'session') throw new SessionLostError(page.url());
  if (shown.kind === 'busy') return { kind: 'busy', status: shown.status };
  if (shown.kind === 'not-open') return { kind: 'not-open', text: shown.text };
  return {
    kind: 'slots',
    slots: shown.slots.length,
    rows: rows.map((row) => matchSlots(shown.slots, row, ctx.profile)),
  };
}
