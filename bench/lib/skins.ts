/**
 * The two sandbox skins as the bench sees them: which venue profile drives our engine on each, the
 * contested court, and the flow's own floor (how many one-way trips after the release the flow forces
 * on any client). Pure; the floors are derived in bench/README.md and unit-tested.
 */

export const SKIN_NAMES = ['estelle', 'clubhouse'] as const;
export type SkinName = (typeof SKIN_NAMES)[number];

export type BenchSkin = {
  name: SkinName;
  /** For tables: what shape of site it is. */
  label: string;
  /** config.yml venue.profile for our engine on this skin. */
  profile: string;
  /** The court every bot goes for, and the one that is already full at the contested hour. */
  contestedCourt: string;
  otherCourt: string;
  /** One-way trips after the release that the flow forces on the fastest possible client. */
  floorTrips: number;
  /** Why (one sentence, for the report). */
  floorRule: string;
  /** One-way trips for a client that follows the pages one by one (no shortcut the flow allows). */
  pageByPageTrips: number;
};

export const SKINS: Record<SkinName, BenchSkin> = {
  estelle: {
    name: 'estelle',
    label: 'single page (Estelle)',
    profile: 'estelle',
    contestedCourt: 'Padel Court 1',
    otherCourt: 'Padel Court 2',
    floorTrips: 3,
    floorRule:
      "3 × one-way: a slot's id only exists after the release, so any client must fetch the availability after it (one round trip) and then send the booking (one way)",
    pageByPageTrips: 3,
  },
  clubhouse: {
    name: 'clubhouse',
    label: 'multi-page (clubhouse)',
    profile: 'test/sandbox/profiles/clubhouse.yml',
    contestedCourt: 'Court A',
    otherCourt: 'Court B',
    floorTrips: 1,
    floorRule:
      '1 × one-way: the confirm page is addressable from date, time and court and renders before the release, so the booking POST itself is the only trip after it (following the pages instead — sessions page, confirm page, POST — would be 5 × one-way)',
    pageByPageTrips: 5,
  },
};

export function skinNamed(name: string): BenchSkin {
  const skin = (SKINS as Record<string, BenchSkin | undefined>)[name];
  if (!skin) throw new Error(`--skins: no skin "${name}" (${SKIN_NAMES.join(', ')})`);
  return skin;
}
