import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { basename, extname, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BookerError } from '../errors.ts';
import { draftProfile } from '../venue/recorder/draft.ts';
import { readRecording } from '../venue/recorder/recording.ts';
import { parseCommandLine, plural, runCli, UsageError } from './args.ts';

const USAGE = `Usage: npm run profile:from-recording -- RECORDING.json [--out FILE.yml] [--force]

Writes a draft venue profile from a Chrome DevTools Recorder recording (DevTools → Recorder → Export →
JSON) of you signing in and going as far as the confirm step for one court, stopping before you confirm.
What the recording cannot show is left as TODO keys with a hint each; \`npm run doctor -- --profile FILE\`
lists them, then checks the profile against the site once they are filled. What you typed at sign-in is
never written: the profile refers to ESTELLE_USERNAME and ESTELLE_PASSWORD.
  --out     where to write the draft (default: the recording's name with .yml, in this folder)
  --force   overwrite --out if it exists`;

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(
    argv,
    { out: { type: 'string' }, force: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    USAGE,
  );
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const input = positionals[0];
  if (!input) throw new UsageError('name the recording to import (a .json file exported by Chrome)', USAGE);
  if (!existsSync(input))
    throw new BookerError(`${input}: no such file`, 'Export the recording from Chrome first.');
  const out = resolve(values.out ?? `${basename(input, extname(input))}.yml`);
  if (existsSync(out) && !values.force) {
    throw new BookerError(
      `${relative('.', out) || out} already exists: nothing was written.`,
      'Choose another file with --out, or add --force to overwrite it.',
    );
  }
  const flow = readRecording(await readFile(input, 'utf8'), input);
  const draft = draftProfile(flow, basename(input));
  await writeFile(out, draft.yaml);
  const shown = relative('.', out) || out;
  console.log(`Wrote the draft venue profile ${shown} from ${flow.steps.length} recorded steps.`);
  for (const note of draft.notes) console.log(`  note: ${note}`);
  console.log(`${plural(draft.todos.length, 'key')} still TODO: ${draft.todos.join(', ')}.`);
  console.log(`Next: fill them in, then run  npm run doctor -- --profile ${shown}`);
  console.log(`The recording itself holds what you typed (your password): delete ${input}, never commit it.`);
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) runCli(() => main(process.argv.slice(2)));
