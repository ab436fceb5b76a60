import type { SkinName } from '../lib/skins.ts';
import type { BaselineName, BaselineSpec } from './common.ts';
import { FAST_POLLER } from './fast-poller.ts';
import { OLD_WAY } from './old-way.ts';
import { POLLER } from './poller.ts';
import { SNIPER } from './sniper.ts';

/** Every baseline, in the order the tables show them. */
export const BASELINES: readonly BaselineSpec[] = [OLD_WAY, POLLER, FAST_POLLER, SNIPER];
export const BASELINE_NAMES: readonly BaselineName[] = BASELINES.map((b) => b.name);

export function baselineNamed(name: BaselineName): BaselineSpec {
  return BASELINES.find((b) => b.name === name)!;
}

/** The baselines that run on a skin. */
export function baselinesFor(skin: SkinName): BaselineSpec[] {
  return BASELINES.filter((b) => b.skins.includes(skin));
}
