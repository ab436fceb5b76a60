import { join } from 'node:path';

/** Chrome Recorder exports of both sandbox skins, made by test/recorder/record-fixtures.ts. */
export const FIXTURES_DIR = join(import.meta.dirname, 'fixtures');
