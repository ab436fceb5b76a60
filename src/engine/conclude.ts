import { DateTime } from 'luxon';
import { SiteDownError } from '../venue/errors.ts';
import { parseShown, verifyBooking } from '../venue/my-bookings.ts';
import { heldOutcome } from './held.ts';
import type { FireOutcome, TargetOutcome } from '../venue/page/index.ts';
import { logIn, saveStorageState } from '../venue/session.ts';
import type { FireTiming } from './fire.ts';
import { wantedTimes } from './load.ts';
import { record, step, type Night } from './night.ts';
import type { RunResult } from './types.ts';
import { BookerError } from '../errors.ts';

function when(date: string, time: string, zone: string): string {
  return DateTime.fromISO(`${date}T${time}`, { zone }).toFormat('ccc d LLL yyyy, HH:mm');
}

/**
 * Phases 8 and 9, verify and record: a booking counts when My bookings lists it (else "unverified",
 * loudly); every outcome is written to the status file with its attempt line and told to the member.
 */
export async function conclude(night: Night, fired: FireOutcome, timing: FireTiming): Promise<RunResult> {
  const { row, pick, config } = night;
  const times = wantedTimes(row);
  const opens = pick.releaseAt.toFormat('ccc d LLL HH:mm');
  if (fired.kind === 'session') {
    throw new BookerError('The venue ended the session twice while booking.', 'Run again or book by hand.');
  }
  if (fired.kind === 'no-slots') {
    if (night.dryRun) {
      return record(night, row, {
        outcome: 'dry-run',
        ...timing,
        message:
          `Dry run, nothing booked: the day's slots are not shown yet (the venue says: "${fired.reason}"). ` +
          `At the release (${opens}) it would book ${times.join(', else ')}${row.court ? ` (${row.court} first)` : ''}.`,
      });
    }
    const error = new SiteDownError(
      `the day's slots did not appear within ${config.retry.windowSeconds} s of the release (${fired.applies} tries; last HTTP status ${fired.lastStatus ?? 'ok, but no slots'})`,
    );
    return record(night, row, {
      outcome: 'failed',
      ...timing,
      message: error.describe(),
      error: error.message,
    });
  }
  const target: TargetOutcome = fired.targets[0] ?? { key: row.key, kind: 'unavailable' };
  switch (target.kind) {
    case 'dry-run': {
      const would = target.time
        ? `would book ${target.court} at ${target.time} on ${row.date}`
        : fired.slots.length > 0
          ? `no court free at ${times.join(' or ')} on ${row.date}: it would report unavailable`
          : `the day's slots are not shown yet (opens ${opens}): at release it would book ${times.join(', then ')}${row.court ? ` (${row.court} first)` : ''}`;
      return record(night, row, {
        outcome: 'dry-run',
        ...timing,
        message: `Dry run, nothing booked: ${would}.`,
      });
    }
    case 'unavailable':
      return record(night, row, {
        outcome: 'unavailable',
        ...timing,
        message: `No court free at ${times.join(' or ')} on ${row.date}: others were faster or the times are full. Nothing booked; try other times by hand, or add a new row.`,
      });
    case 'held': {
      // Seen by the fire's own look at My bookings, in the site's words: the time as HH:mm.
      const time = parseShown(
        target.time ?? null,
        night.profile.myBookings.time.format,
        night.profile,
      )?.toFormat('HH:mm');
      const held = {
        ...(time ? { time } : {}),
        court: target.court ?? '',
        reference: target.reference ?? '',
      };
      return record(night, row, {
        ...timing,
        ...heldOutcome(
          night,
          held,
          ', listed on My bookings while retrying (another run of yours may have booked it meanwhile)',
        ),
      });
    }
    case 'limit':
      return record(night, row, {
        outcome: 'failed',
        ...timing,
        message: `The venue refused the booking: it allows no more courts for you on ${row.date} ("${(target.message ?? '').replace(/\.$/, '')}"). Nothing booked; check My bookings on the site.`,
        error: `limit: ${target.message ?? ''}`,
      });
    case 'error':
      return record(night, row, {
        outcome: 'failed',
        ...timing,
        message: `The venue refused the booking (${target.code}): ${(target.message ?? '').replace(/\.$/, '')}. Check My bookings on the site and book by hand if needed.`,
        error: `${target.code}: ${target.message ?? ''}`,
      });
    case 'booked':
      return verifyAndRecord(night, target, timing);
  }
}

async function verifyAndRecord(night: Night, target: TargetOutcome, timing: FireTiming): Promise<RunResult> {
  const { row, profile } = night;
  const page = night.session!.page;
  const time = target.time!;
  await step(night, 'confirmed', { reference: target.reference, time, court: target.court });
  await night.shots.take(page, 'confirmation');
  const expected = {
    reference: target.reference ?? '',
    date: row.date,
    time,
    ...(target.court ? { court: target.court } : {}),
  };
  let proof = await verifyBooking(page, night.ctx, expected);
  if (proof.loggedOut) {
    await step(night, 'session-lost', { url: page.url() });
    await logIn(
      page,
      night.ctx,
      { username: night.env.username, password: night.env.password },
      night.tracer,
    );
    await saveStorageState(night.session!.context, night.paths.storageState);
    await night.tracer?.start();
    proof = await verifyBooking(page, night.ctx, expected);
  }
  await night.shots.take(page, 'my-bookings');
  await step(night, proof.verified ? 'verified' : 'unverified', { reason: proof.reason });
  const base = {
    ...timing,
    bookedTime: time,
    ...(target.court ? { court: target.court } : {}),
    ...(target.reference ? { reference: target.reference } : {}),
  };
  if (!proof.verified) {
    return record(night, row, {
      outcome: 'unverified',
      ...base,
      message: `UNVERIFIED: the site said booked (ref ${target.reference || 'none'}) but ${proof.reason}. Check My bookings on the site now; screenshots in ${night.outDir}.`,
      error: proof.reason ?? 'not verified',
    });
  }
  const fallback = time !== row.time1;
  return record(night, row, {
    outcome: fallback ? 'booked-fallback' : 'booked',
    ...base,
    message: `Booked ${target.court}, ${when(row.date, time, profile.timeZone)}${target.reference ? ` (ref ${target.reference})` : ''}${fallback ? ` — your second choice; ${row.time1} was taken` : ''}.`,
  });
}
