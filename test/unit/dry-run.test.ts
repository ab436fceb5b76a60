import { describe, expect, it } from 'vitest';
import { decideDryRun, decideWaiting, laneFor, laneProblem, readYesNo } from '../../src/dry-run.ts';

describe('readYesNo', () => {
  it.each([
    [true, true],
    [false, false],
    ['true', true],
    ['TRUE', true],
    [' Yes ', true],
    ['on', true],
    ['1', true],
    [1, true],
    ['false', false],
    ['No', false],
    ['OFF', false],
    ['0', false],
    [0, false],
    [undefined, undefined],
    [null, undefined],
    ['', undefined],
    ['   ', undefined],
  ])('%j → %s', (raw, value) => {
    expect(readYesNo('x', raw)).toEqual(value === undefined ? {} : { value });
  });

  it.each([['maybe'], ['tru'], [2], [-1], [0.5], [{ a: 1 }], [[true]]])('%j is a problem', (raw) => {
    expect(readYesNo('client_payload.dry_run', raw).problem).toMatch(
      /^client_payload\.dry_run is .+, which is not a yes\/no value: use true or false/,
    );
  });
});

describe('decideDryRun: every source, one decision', () => {
  it.each([
    [{}, false, []],
    [{ variable: 'true' }, true, ['variable']],
    [{ variable: 'false', input: true }, true, ['input']],
    [{ variable: 'TRUE', input: false }, true, ['variable']],
    [{ variable: 'yes', payload: false }, true, ['variable']],
    [{ payload: 'true' }, true, ['payload']],
    [{ payload: 1 }, true, ['payload']],
    [{ payload: 0, input: 'false', variable: '' }, false, []],
    [{ flag: true }, true, ['flag']],
    [{ flag: false, variable: 'off' }, false, []],
  ] as const)('%j → dry run %s', (sources, dryRun, because) => {
    const d = decideDryRun(sources);
    expect(d.problems).toEqual([]);
    expect(d.dryRun).toBe(dryRun);
    expect(d.because.length).toBe(because.length);
    expect(laneFor(d)).toBe(dryRun ? 'rehearsal' : 'booking');
  });

  it('an unreadable value is a problem and, meanwhile, a dry run (never a real booking)', () => {
    const d = decideDryRun({ payload: 'maybe', variable: 'false' });
    expect(d.problems).toHaveLength(1);
    expect(d.dryRun).toBe(true);
    expect(laneFor(d)).toBe('rehearsal');
  });
});

describe('laneProblem', () => {
  it('lets a real booking run only in the booking lane on Actions', () => {
    expect(laneProblem(false, 'booking', true)).toBeUndefined();
    expect(laneProblem(false, 'rehearsal', true)).toMatch(/"rehearsal" concurrency lane/);
    expect(laneProblem(false, undefined, true)).toMatch(/unknown concurrency lane/);
    expect(laneProblem(false, '', true)).toMatch(/unknown/);
    expect(laneProblem(true, 'booking', true)).toBeUndefined(); // a rehearsal in the booking lane is safe
    expect(laneProblem(false, undefined, false)).toBeUndefined(); // a local run has no lanes
  });
});

describe('decideWaiting', () => {
  it.each([
    [{ dryRun: false, event: 'schedule' }, false],
    [{ dryRun: false, event: 'repository_dispatch', noWait: true }, true],
    [{ dryRun: true, event: 'schedule' }, false],
    [{ dryRun: true, event: 'workflow_dispatch' }, true],
    [{ dryRun: true, event: 'workflow_dispatch', wait: true }, false],
    [{ dryRun: true, event: 'repository_dispatch', wait: true, noWait: true }, false],
    [{ dryRun: true }, true],
    [{ dryRun: true, wait: true }, false],
  ])('%j → acts now: %s', (sources, noWait) => {
    expect(decideWaiting(sources).noWait).toBe(noWait);
  });
});
