import { describe, expect, it } from 'vitest';
import { jsonForActions, neutraliseCommands } from '../../src/github/workflow-commands.ts';
import { parseRunnerCommand, runnerCommands } from '../support/actions-runner.ts';

// Lines a hostile CSV cell, YAML key or venue page could put in our output, in the runner's own syntax.
const HOSTILE = [
  '7pm\n::error title=X::forged annotation',
  '::add-mask::Padel Court 1',
  '::stop-commands::tok123456',
  '::ERROR::upper case is a command too',
  '   ::warning file=bookings/bookings.csv,line=1::indented',
  '\t::notice::after a tab',
  '\u00a0::error::after a no-break space',
  '\u0085::error::after NEXT LINE (whitespace to .NET)',
  '\u3000\u2028::error::after ideographic space and a line separator',
  'line one\r::set-output name=outcome::booked',
  'a\r\n::save-state name=x::y',
  'Court ##[add-mask]hidden in the middle of a line',
  '##[error]old syntax at the start',
  '##[set-output name=outcome;]booked',
];

describe('the runner-faithful reader (test/support/actions-runner.ts)', () => {
  it('finds a command in every hostile line as the runner would, so the test below can fail', () => {
    for (const text of HOSTILE) expect(runnerCommands(text), JSON.stringify(text)).not.toEqual([]);
    // The runner's own test cases (src/Test/L0/Worker/ActionCommandL0.cs).
    expect(parseRunnerCommand('>>>   ##[error k1=v1;]msg')?.command).toBe('error');
    expect(parseRunnerCommand('   >>>   ::error k1=v1,::msg')).toBeUndefined();
    expect(parseRunnerCommand('   ::error k1=v1,::msg')?.data).toBe('msg');
  });
});

describe('neutraliseCommands', () => {
  it('leaves no line the runner would run as a command, and keeps the text readable', () => {
    for (const text of HOSTILE) {
      const safe = neutraliseCommands(text);
      expect(runnerCommands(safe), JSON.stringify(safe)).toEqual([]);
    }
    expect(neutraliseCommands('7pm\n::error title=X::forged')).toBe('7pm\n\\::error title=X::forged');
    expect(neutraliseCommands('Court ##[add-mask]x')).toBe('Court ##[\\add-mask]x');
    expect(neutraliseCommands('a\rb\r\nc')).toBe('a\nb\nc');
    expect(neutraliseCommands('\u001b[31mred')).toBe('\\x1B[31mred');
  });

  it('changes nothing in ordinary lines', () => {
    for (const line of [
      'bookings/bookings.csv:3: Time1 "25pm" is not a time (expected e.g. 7pm, 7:30pm or 19:00)',
      "23:59:58.777  fired: Show Availability (15 ms before the venue's midnight)",
      'Line  Date        Time1 / Time2  Court\tState',
      'a :: b ## [c]',
    ]) {
      expect(neutraliseCommands(line)).toBe(line);
    }
  });

  it('JSON for stdout parses to the same values and holds no command', () => {
    const value = [{ court: '##[add-mask]x', note: '\n::error::y', path: '\\##[z' }];
    const text = jsonForActions(value);
    expect(JSON.parse(text)).toEqual(value);
    expect(runnerCommands(text)).toEqual([]);
  });
});
