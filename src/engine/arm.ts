import { armAddressed, type ArmedAddress } from '../venue/fire/page-by-page.ts';
import { walkToDayView } from '../venue/navigate.ts';
import { fireStrategy } from '../venue/profile.ts';
import { step, type Night } from './night.ts';

/** What arming left ready for the fire. */
export type Armed = { strategy: ReturnType<typeof fireStrategy>; address?: ArmedAddress };

/**
 * Phase 5, arm: the day view of the target date by the site's click path, overlays closed, the date
 * set; and, when the booking is addressable before the release, its confirm page open and ready.
 */
export async function arm(night: Night, again = false): Promise<Armed> {
  const page = night.session!.page;
  const target = night.targets[0]!;
  const strategy = fireStrategy(night.profile);
  await walkToDayView(page, night.ctx, target.date);
  const address = night.profile.confirm.address ? await armAddressed(page, night.ctx, target) : undefined;
  if (!again) await night.shots.take(page, 'armed');
  // After the screenshot: the step marks the moment the run is ready to fire.
  await step(night, 'armed', {
    url: page.url(),
    strategy,
    ...(address ? { confirmPage: `${address.time} ${address.court}` } : {}),
    ...(again ? { again: true } : {}),
  });
  return { strategy, ...(address ? { address } : {}) };
}
