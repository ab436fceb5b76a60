import { DateTime } from 'luxon';
import type { BookingRow } from '../bookings/csv.ts';
import { BookerError } from '../errors.ts';
import { SessionLostError, SiteDownError } from '../venue/errors.ts';
import { listMyBookings, parseShown, verifyAgainst, type MyBookings } from '../venue/my-bookings.ts';
import type { FireOutcome, TargetOutcome } from '../venue/page/index.ts';
import { logIn, saveStorageState } from '../venue/session.ts';
import { pageToRunClock, type FireTiming } from './fire.ts';
import { heldOutcome } from './held.ts';
import { wantedTimes } from './load.ts';
import { finishRows, record, recordRow, step, type Night, type Recorded } from './night.ts';
import type { RunResult } from './types.ts';

function when(date: string, time: string, zone: string): string {
  return DateTime.fromISO(`${date}T${time}`, { zone }).toFormat('ccc d LLL yyyy, HH:mm');
}

/**
 * Phases 8 and 9, verify and record: a booking counts when My bookings lists it (else "unverified",
 * loudly); every row's outcome is written to the status file with its attempt line and told to the
 * member.
 */
export async function conclude(night: Night, fired: FireOutcome, timing: FireTiming): Promise<RunResult> {
  const { pick, config } = night;
  const opens = pick.releaseAt.toFormat('ccc d LLL HH:mm');
  const firing = night.rows.filter((r) => night.targets.some((t) => t.key === r.key));
  if (fired.kind === 'session') {
    throw new BookerError('The venue ended the session twice while booking.', 'Run again or book by hand.');
  }
  if (fired.kind === 'no-slots') {
    if (night.dryRun) {
      const row = firing[0]!;
      return record(night, {
        outcome: 'dry-run',
        ...timing,
        message:
          `Dry run, nothing booked: the day's slots are not shown yet (the venue says: "${fired.reason}"). ` +
          `At the release (${opens}) it would book ${wantedTimes(row).join(', else ')}${row.court ? ` (${row.court} first)` : ''}.`,
      });
    }
    const error = new SiteDownError(
      `the day's slots did not appear within ${config.retry.windowSeconds} s of the release (${fired.applies} tries; last HTTP status ${fired.lastStatus ?? 'ok, but no slots'})`,
    );
    return record(night, { outcome: 'failed', ...timing, message: error.describe(), error: error.message });
  }

  // The booked rows are verified against one look at My bookings.
  const outcomes = firing.map((row) => ({
    row,
    target:
      fired.targets.find((t) => t.key === row.key) ??
      ({ key: row.key, kind: 'unavailable' } as TargetOutcome),
  }));
  const booked = outcomes.filter((o) => o.target.kind === 'booked');
  for (const { row, target } of booked)
    await step(night, 'confirmed', {
      key: row.key,
      reference: target.reference,
      time: target.time,
      court: target.court,
    });
  // The page shows the (last) confirmation: keep it before leaving it for My bookings.
  if (booked.length > 0) await night.shots.take(night.session!.page, 'confirmation');
  const bookings = booked.length > 0 ? await myBookingsAfterBooking(night) : undefined;
  if (booked.length > 0) await night.shots.take(night.session!.page, 'my-bookings');

  for (const { row, target } of outcomes) {
    const details =
      target.kind === 'booked'
        ? await bookedDetails(night, row, target, timing, bookings)
        : otherDetails(night, row, target, timing, fired.slots.length > 0, opens);
    await recordRow(night, row, details);
  }
  return finishRows(
    night,
    timing.serverClockOffsetMs !== undefined ? { serverClockOffsetMs: timing.serverClockOffsetMs } : {},
  );
}

/** What is recorded for a row the fire did not book. */
function otherDetails(
  night: Night,
  row: BookingRow,
  target: TargetOutcome,
  timing: FireTiming,
  slotsSeen: boolean,
  opens: string,
): Recorded {
  const times = wantedTimes(row);
  switch (target.kind) {
    case 'dry-run': {
      const would = target.time
        ? `would book ${target.court} at ${target.time} on ${row.date}`
        : slotsSeen
          ? `no court free at ${times.join(' or ')} on ${row.date}: it would report unavailable`
          : `the day's slots are not shown yet (opens ${opens}): at release it would book ${times.join(', then ')}${row.court ? ` (${row.court} first)` : ''}`;
      return { outcome: 'dry-run', ...timing, message: `Dry run, nothing booked: ${would}.` };
    }
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
      return {
        ...timing,
        ...heldOutcome(
          row,
          held,
          ', listed on My bookings while retrying (another run of yours may have booked it meanwhile)',
        ),
      };
    }
    case 'limit':
      return {
        outcome: 'failed',
        ...timing,
        message: `The venue refused the booking: it allows no more courts for you on ${row.date} ("${(target.message ?? '').replace(/\.$/, '')}"). Nothing booked for ${times.join(' or ')}; check My bookings on the site.`,
        error: `limit: ${target.message ?? ''}`,
      };
    case 'error':
      return {
        outcome: 'failed',
        ...timing,
        message: `The venue refused the booking (${target.code}): ${(target.message ?? '').replace(/\.$/, '')}. Check My bookings on the site and book by hand if needed.`,
        error: `${target.code}: ${target.message ?? ''}`,
      };
    default:
      return {
        outcome: 'unavailable',
        ...timing,
        message: `No court free at ${times.join(' or ')} on ${row.date}: others were faster or the times are full. Nothing booked; try other times by hand, or add a new row.`,
      };
  }
}

/** My bookings after the fire, logging in again once when the venue dropped the session meanwhile. */
async function myBookingsAfterBooking(night: Night): Promise<MyBookings | undefined> {
  const page = night.session!.page;
  try {
    return await listMyBookings(page, night.ctx);
  } catch (error) {
    if (!(error instanceof SessionLostError)) throw error;
  }
  await step(night, 'session-lost', { url: page.url() });
  await logIn(page, night.ctx, { username: night.env.username, password: night.env.password }, night.tracer);
  await saveStorageState(night.session!.context, night.paths.storageState);
  await night.tracer?.start();
  return listMyBookings(page, night.ctx).catch((error: unknown) => {
    if (error instanceof SessionLostError) return undefined;
    throw error;
  });
}

/** What is recorded for a booked row: booked (or the fallback) when My bookings lists it, else unverified. */
async function bookedDetails(
  night: Night,
  row: BookingRow,
  target: TargetOutcome,
  timing: FireTiming,
  bookings: MyBookings | undefined,
): Promise<Recorded> {
  const time = target.time!;
  const expected = {
    reference: target.reference ?? '',
    date: row.date,
    time,
    ...(target.court ? { court: target.court } : {}),
  };
  const proof = bookings
    ? verifyAgainst(bookings, expected, night.profile)
    : { verified: false, reason: 'the venue logged us out before My bookings could be read' };
  await step(night, proof.verified ? 'verified' : 'unverified', { key: row.key, reason: proof.reason });
  const latencyMs =
    latencyOf(night, target) ?? (night.rows.indexOf(row) === 0 ? timing.latencyMs : undefined);
  const base = {
    ...timing,
    ...(latencyMs !== undefined ? { latencyMs } : {}),
    bookedTime: time,
    ...(target.court ? { court: target.court } : {}),
    ...(target.reference ? { reference: target.reference } : {}),
  };
  if (!proof.verified) {
    return {
      outcome: 'unverified',
      ...base,
      message: `UNVERIFIED: the site said booked (ref ${target.reference || 'none'}) but ${proof.reason}. Check My bookings on the site now; screenshots in ${night.outDir}.`,
      error: proof.reason ?? 'not verified',
    };
  }
  const fallback = time !== row.time1;
  return {
    outcome: fallback ? 'booked-fallback' : 'booked',
    ...base,
    message: `Booked ${target.court}, ${when(row.date, time, night.profile.timeZone)}${target.reference ? ` (ref ${target.reference})` : ''}${fallback ? ` — your second choice; ${row.time1} was taken` : ''}.`,
  };
}

/** When this target's booking request reached the venue (estimated), minus its midnight. */
function latencyOf(night: Night, target: TargetOutcome): number | undefined {
  if (!target.confirmedAtEpochMs || !night.estimate) return undefined;
  const runMs = pageToRunClock(target.confirmedAtEpochMs, night);
  return Math.round(runMs + night.estimate.offsetMs - night.releaseMs + night.estimate.oneWayMs);
}
