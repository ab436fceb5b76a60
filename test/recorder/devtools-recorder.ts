/**
 * Records a user flow the way Chrome DevTools' Recorder panel does, so the fixtures of the recorder import
 * are real Recorder output and not our idea of it.
 *
 * The page-side half is Chrome's own code: the Recorder's recording client
 * (front_end/panels/recorder/injected/ of the chrome-devtools-frontend package, the same sources DevTools
 * ships), bundled with esbuild and injected exactly as DevTools injects it: into an isolated world named
 * `devtools_recorder`, with the command-line API (its getAccessibleName / getAccessibleRole bindings), on
 * every new document. It computes every selector (ARIA, CSS, XPath, pierce, text) and reports each click,
 * change and key press through the `addStep` binding.
 *
 * The DevTools-side half (models/RecordingSession.ts in the same package: the first setViewport and
 * navigate steps, merging key presses into change steps, a page unload becoming an `assertedEvents`
 * navigation on the step that caused it) is re-implemented here in a few lines, following that file.
 * The flow is then written with @puppeteer/replay's JSONStringifyExtension, which is what DevTools'
 * "Export → JSON" uses.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import type { CDPSession, Page } from 'playwright';
import {
  JSONStringifyExtension,
  stringify,
  stripSourceMap,
  type Step,
  type UserFlow,
} from '@puppeteer/replay';

/** The chrome-devtools-frontend release whose Recorder client made the fixtures (Chromium 14x DevTools). */
export const DEVTOOLS_FRONTEND_VERSION = '1.0.1705227';
const WORLD = 'devtools_recorder';
const CACHE = resolve('node_modules/.cache/recorder-fixtures');

/**
 * The Recorder's injected client as one script: the chrome-devtools-frontend package is fetched once with
 * `npm pack` (the npm registry's ordinary client) into node_modules/.cache and its recorder sources bundled.
 */
export async function devtoolsRecordingClient(version = DEVTOOLS_FRONTEND_VERSION): Promise<string> {
  const dir = join(CACHE, `chrome-devtools-frontend-${version}`);
  const entry = join(dir, 'package/front_end/panels/recorder/injected/injected.ts');
  if (!existsSync(entry)) {
    mkdirSync(dir, { recursive: true });
    execFileSync('npm', ['pack', `chrome-devtools-frontend@${version}`, '--pack-destination', dir], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'));
    if (!tarball)
      throw new Error(`npm pack chrome-devtools-frontend@${version} produced no tarball in ${dir}`);
    execFileSync('tar', [
      'xzf',
      join(dir, tarball),
      '-C',
      dir,
      'package/front_end/panels/recorder/injected',
      'package/front_end/third_party/puppeteer/package/lib/puppeteer/injected',
    ]);
  }
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'iife',
    write: false,
    target: 'es2022',
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

/** What the recording client reports (RecordingClient.ts: its Step type, before DevTools adds target/frame). */
type ClientStep =
  | {
      type: 'click' | 'doubleClick';
      selectors: string[][];
      offsetX: number;
      offsetY: number;
      [k: string]: unknown;
    }
  | { type: 'change'; selectors: string[][]; value: string }
  | { type: 'keyDown' | 'keyUp'; key: string }
  | { type: 'beforeUnload' };

/** A recording in progress on one page (main frame only, as our member flows need). */
export class DevToolsRecording {
  private readonly steps: Step[] = [];
  private readonly pressedChangeKeys = new Set<string>();
  private pendingNavigation: Step | undefined;
  private constructor(
    private readonly page: Page,
    private readonly cdp: CDPSession,
    private readonly title: string,
  ) {}

  /** Starts recording on `page` at `url`, as pressing "Start recording" on that page would. */
  static async start(page: Page, url: string, title: string): Promise<DevToolsRecording> {
    const client = await devtoolsRecordingClient();
    const cdp = await page.context().newCDPSession(page);
    const recording = new DevToolsRecording(page, cdp, title);
    cdp.on('Runtime.bindingCalled', (event) => {
      if (event.name === 'addStep') recording.onClientStep(JSON.parse(event.payload) as ClientStep);
    });
    await cdp.send('Runtime.enable');
    await cdp.send('Page.enable');
    for (const name of ['addStep', 'stopShortcut'])
      await cdp.send('Runtime.addBinding', { name, executionContextName: WORLD });
    const source = `${client};DevToolsRecorder.startRecording({getAccessibleName, getAccessibleRole}, ${JSON.stringify(
      {
        debug: false,
        allowUntrustedEvents: false,
        selectorTypesToRecord: ['aria', 'css', 'text', 'xpath', 'pierce'],
        stopShortcuts: [],
      },
    )});`;
    await cdp.send('Page.addScriptToEvaluateOnNewDocument', {
      source,
      worldName: WORLD,
      includeCommandLineAPI: true,
    } as Parameters<CDPSession['send']>[1] & { source: string });
    await page.goto(url);
    // RecordingSession.#appendInitialSteps: the viewport, then the page the recording started on.
    const { cssLayoutViewport } = await cdp.send('Page.getLayoutMetrics');
    recording.steps.push({
      type: 'setViewport',
      width: cssLayoutViewport.clientWidth,
      height: cssLayoutViewport.clientHeight,
      deviceScaleFactor: 1,
      isMobile: false,
      hasTouch: false,
      isLandscape: false,
    } as Step);
    recording.steps.push({
      type: 'navigate',
      url: page.url(),
      assertedEvents: [{ type: 'navigation', url: page.url(), title: await page.title() }],
    } as Step);
    return recording;
  }

  /**
   * Call after each member action: once a page the action loaded has finished loading, its URL and title
   * complete the step's navigation event (RecordingSession.#replaceUnloadWithNavigation).
   */
  async settle(): Promise<void> {
    await this.page.waitForLoadState('load');
    // Bindings arrive asynchronously over CDP; a round trip lets the last ones in.
    await this.cdp.send('Runtime.evaluate', { expression: '0' });
    const pending = this.pendingNavigation;
    if (!pending?.assertedEvents) return;
    const event = pending.assertedEvents.find((e) => e.type === 'navigation');
    if (event && !event.url) {
      event.url = this.page.url();
      event.title = await this.page.title();
    }
    this.pendingNavigation = undefined;
  }

  /** The recording as DevTools exports it (Export → JSON: converters/JSONConverter.ts). */
  async exportJson(): Promise<string> {
    await this.settle();
    const flow: UserFlow = { title: this.title, steps: this.steps };
    return stripSourceMap(
      await stringify(flow, { extension: new JSONStringifyExtension(), indentation: '  ' }),
    );
  }

  stepCount(): number {
    return this.steps.length;
  }

  async stop(): Promise<void> {
    await this.cdp.detach();
  }

  /** RecordingSession.#handleAddStepBinding + #appendStep, for the main frame ("main" target). */
  private onClientStep(step: ClientStep): void {
    switch (step.type) {
      case 'beforeUnload': {
        const last = this.steps.at(-1);
        if (last && !last.assertedEvents?.some((e) => e.type === 'navigation')) {
          last.assertedEvents = [{ type: 'navigation' } as NonNullable<Step['assertedEvents']>[number]];
          this.pendingNavigation = last;
        }
        return;
      }
      case 'change':
        return this.append({
          type: 'change',
          value: step.value,
          selectors: step.selectors,
          target: 'main',
        } as Step);
      case 'click':
      case 'doubleClick': {
        const { type, selectors, offsetX, offsetY, duration, deviceType, button } = step;
        return this.append({
          type,
          target: 'main',
          selectors,
          offsetY,
          offsetX,
          ...(type === 'click' ? { duration } : {}),
          deviceType,
          button,
        } as Step);
      }
      case 'keyUp':
        return this.append({ type: 'keyUp', key: step.key, target: 'main' } as Step);
      case 'keyDown':
        return this.append({ type: 'keyDown', target: 'main', key: step.key } as Step);
    }
  }

  private append(step: Step): void {
    const previous = this.steps.at(-1);
    switch (step.type) {
      case 'doubleClick':
        for (let j = this.steps.length - 1; j > 0; j--) {
          const before = this.steps[j]!;
          if (before.type === 'click') {
            step.selectors = before.selectors;
            this.steps.splice(j, 1);
            break;
          }
        }
        break;
      case 'change':
        if (
          previous?.type === 'change' &&
          JSON.stringify(previous.selectors) === JSON.stringify(step.selectors)
        ) {
          this.steps[this.steps.length - 1] = step; // merging changes
          return;
        }
        if (previous?.type === 'keyDown') {
          // a key press that typed into the field is part of the change
          this.pressedChangeKeys.add(previous.key);
          this.steps.pop();
          this.append(step);
          return;
        }
        break;
      case 'keyDown':
        if (this.pressedChangeKeys.has(step.key)) return;
        break;
      case 'keyUp':
        if (this.pressedChangeKeys.has(step.key)) {
          this.pressedChangeKeys.delete(step.key);
          return;
        }
        break;
    }
    this.steps.push(step);
  }
}
