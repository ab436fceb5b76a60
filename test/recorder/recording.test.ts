import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main as importRecording } from '../../src/cli/profile-from-recording.ts';
import { readRecording, RecordingError } from '../../src/venue/recorder/recording.ts';
import { FIXTURES_DIR } from './fixtures.ts';

type Json = Record<string, unknown> & { steps: Record<string, unknown>[] };
const fixture = (skin: string): Json =>
  JSON.parse(readFileSync(join(FIXTURES_DIR, `${skin}.json`), 'utf8')) as Json;

/** The recording as Chrome writes it (2-space JSON), with one change. */
function broken(change: (flow: Json) => void): string {
  const flow = fixture('clubhouse');
  change(flow);
  return JSON.stringify(flow, null, 2);
}

function errorOf(text: string): RecordingError {
  try {
    readRecording(text, 'rec.json');
  } catch (error) {
    if (error instanceof RecordingError) return error;
    throw error;
  }
  throw new Error('the recording was accepted');
}

/** The line a step object starts on, found in the text independently of the importer. */
function lineOfStep(text: string, index: number): number {
  const lines = text.split('\n');
  let seen = -1;
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] === '    {') seen++;
    if (seen === index) return i + 1;
  }
  throw new Error('no such step');
}

describe('reading a Recorder export', () => {
  it('accepts both fixtures, as @puppeteer/replay parses them', () => {
    for (const skin of ['estelle', 'clubhouse']) {
      const flow = readRecording(readFileSync(join(FIXTURES_DIR, `${skin}.json`), 'utf8'), `${skin}.json`);
      expect(flow.steps[0]!.type).toBe('setViewport');
      expect(flow.steps[1]!.type).toBe('navigate');
      expect(flow.steps.filter((s) => s.type === 'click').length).toBeGreaterThan(8);
    }
  });

  it('names the step (index and type), the field and the line of a click without its offset', () => {
    const text = broken((flow) => delete flow.steps[7]!.offsetX);
    const error = errorOf(text);
    expect(error.message).toBe(
      `rec.json:${lineOfStep(text, 7)}: steps[7] (click): "offsetX" is missing or not a number`,
    );
    expect(error.hint).toMatch(/Export → JSON/);
  });

  it('names a change step without its value, and selectors that are not a list', () => {
    expect(errorOf(broken((flow) => delete flow.steps[3]!.value)).message).toMatch(
      /^rec\.json:\d+: steps\[3\] \(change\): "value" is missing or not a string$/,
    );
    expect(errorOf(broken((flow) => (flow.steps[9]!.selectors = 'ul a'))).message).toMatch(
      /^rec\.json:\d+: steps\[9\] \(click\): "selectors": step selectors are not an array$/,
    );
  });

  it('names a step of a type the Recorder does not have, one without a type, and a bad navigation event', () => {
    expect(errorOf(broken((flow) => (flow.steps[5]!.type = 'tap'))).message).toMatch(
      /steps\[5\] \(tap\): step type tap is not supported \(not a Recorder step type\)$/,
    );
    expect(errorOf(broken((flow) => delete flow.steps[2]!.type)).message).toMatch(/steps\[2\]: .*type/);
    expect(
      errorOf(broken((flow) => (flow.steps[6]!.assertedEvents = [{ type: 'download' }]))).message,
    ).toMatch(/steps\[6\] \(click\): "assertedEvents": unknown assertedEvent type$/);
  });

  it('says where a file is not JSON, or is JSON without a title or steps', () => {
    const text = readFileSync(join(FIXTURES_DIR, 'clubhouse.json'), 'utf8');
    const cut = errorOf(text.slice(0, 500));
    expect(cut.message).toMatch(/^rec\.json:\d+: not JSON: .*exported as JSON/);
    expect(errorOf(broken((flow) => delete flow.title)).message).toMatch(
      /the recording's "title": recording is missing `title`/,
    );
    expect(errorOf(JSON.stringify({ title: 'x', steps: {} })).message).toMatch(
      /"steps": is not a list of steps/,
    );
  });

  it('the command reports a malformed recording and writes nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'recording-'));
    try {
      const file = join(dir, 'bad.json');
      await writeFile(
        file,
        broken((flow) => delete flow.steps[12]!.key),
      );
      await expect(importRecording([file, '--out', join(dir, 'out.yml')])).rejects.toThrow(
        /bad\.json:\d+: steps\[12\] \(keyDown\): "key" is missing or not a string/,
      );
      const { existsSync } = await import('node:fs');
      expect(existsSync(join(dir, 'out.yml'))).toBe(false);
      // Nor over a file that is there.
      await writeFile(join(dir, 'mine.yml'), 'kept');
      await expect(
        importRecording([join(FIXTURES_DIR, 'estelle.json'), '--out', join(dir, 'mine.yml')]),
      ).rejects.toThrow(/already exists: nothing was written/);
      expect(readFileSync(join(dir, 'mine.yml'), 'utf8')).toBe('kept');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
