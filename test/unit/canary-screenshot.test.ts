import { describe, expect, it } from 'vitest';
import { screenshotFor } from '../../src/cli/canary.ts';

const shots = [
  'out/doctor-login.png',
  'out/doctor-step-1.png',
  'out/doctor-step-2.png',
  'out/doctor-day-view.png',
  'out/doctor-confirm.png',
  'out/doctor-my-bookings.png',
];

describe('the screenshot the canary posts for a drifted key', () => {
  it.each([
    ['login.email', 'out/doctor-login.png'],
    ['overlays.0', 'out/doctor-login.png'], // the sign-in page's shot: overlays are looked for there first
    ['navigation.1', 'out/doctor-step-2.png'],
    ['slots.time', 'out/doctor-day-view.png'],
    ['dayView.notOpen', 'out/doctor-day-view.png'],
    ['confirm.close', 'out/doctor-confirm.png'],
    ['myBookings.date', 'out/doctor-my-bookings.png'],
    ['paths.clockProbe', 'out/doctor-my-bookings.png'], // no page of its own: the last shot
  ])('%s → %s', (key, file) => {
    expect(screenshotFor(key, shots)).toBe(file);
  });

  it('is the last shot when the page the key belongs to has none', () => {
    expect(screenshotFor('slots.time', shots.slice(0, 2))).toBe('out/doctor-step-1.png');
  });
});
