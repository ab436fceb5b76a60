import type { Page } from 'playwright';
import { withoutHttpCache } from './http-cache.ts';
import type { VenueProfile } from './profile.ts';

/**
 * The doctor's check of `dayView.apply.overlapping`: on the day view of a released date (slots shown), it
 * presses "show availability" twice in a row, so the second press comes while the first is loading, as a
 * volley's do (the browser's HTTP cache off, as in the fire), and sees what the site did with the second
 * press. Reads only: the answers are the day's availability.
 */

export type PressedTwice = {
  /** The page's requests answered after the first press (status 0: failed or cancelled). */
  answers: { status: number }[];
  /** Slot items rendered after the presses. */
  freshSlots: number;
};

export type OverlapVerdict = { verdict: 'ok' | 'broken' | 'not-checked'; note: string };

/** After one answer, how long the other may take before the press counts as ignored. */
const SECOND_ANSWER_MS = 3_000;

export async function pressTwice(
  page: Page,
  profile: VenueProfile,
  timeoutMs: number,
): Promise<PressedTwice> {
  const apply = profile.dayView.apply;
  if (!('click' in apply)) return { answers: [], freshSlots: 0 };
  const uncached = await withoutHttpCache(page);
  try {
    return (await page.evaluate(
      `(async () => {
        const L = window.__bookerLib;
        const item = ${JSON.stringify(profile.slots.item)};
        document.querySelectorAll(item).forEach((el) => (el.__bookerDoctorOld = true));
        const s = L.seq;
        const button = document.querySelector(${JSON.stringify(apply.click)});
        if (!button) return { answers: [], freshSlots: 0 };
        const answered = () => L.responses.filter((r) => r.seq > s);
        const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
        button.click();
        button.click(); // while the first is loading, whatever the site's speed
        const t0 = performance.now();
        let firstAt = null;
        while (answered().length < 2 && performance.now() - t0 < ${timeoutMs}) {
          if (firstAt === null && answered().length > 0) firstAt = performance.now();
          if (firstAt !== null && performance.now() - firstAt > ${SECOND_ANSWER_MS}) break;
          await sleep(20);
        }
        await sleep(200); // the last answer rendered
        return {
          answers: answered().map((r) => ({ status: r.status })),
          freshSlots: Array.from(document.querySelectorAll(item)).filter((el) => !el.__bookerDoctorOld).length,
        };
      })()`,
    )) as PressedTwice;
  } finally {
    await uncached?.restore();
  }
}

/** What the two presses say about the key (pure). */
export function overlapVerdict(seen: PressedTwice, declared: boolean): OverlapVerdict {
  const failed = seen.answers.some((a) => a.status === 0);
  const overlaps = seen.answers.length >= 2 && !failed && seen.freshSlots > 0;
  if (overlaps)
    return declared
      ? { verdict: 'ok', note: `two presses in a row were both answered and the slots shown` }
      : {
          verdict: 'ok',
          note: `two presses in a row were both answered: overlapping: true would let the first shot be a volley (faster at midnight)`,
        };
  const why =
    seen.answers.length === 0
      ? 'neither press was answered'
      : failed
        ? 'the site cancelled a press when pressed again (only the last counts)'
        : seen.answers.length < 2
          ? 'the site answered one of two presses in a row (it ignores a press while one is loading)'
          : 'both presses were answered but no slots were shown';
  return declared
    ? { verdict: 'broken', note: `${why}: set overlapping: false` }
    : { verdict: 'ok', note: `${why}: overlapping: false is right` };
}
