import { existsSync } from 'node:fs';
import { chromium, type Browser, type LaunchOptions } from 'playwright';

/** Where Debian and Ubuntu put their Chromium package. */
const SYSTEM_CHROMIUM_PATHS = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

/**
 * Flags for a headless Chromium on a locked-down machine: no sandbox (we may run as root),
 * and none of the background traffic a closed network refuses.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export interface BrowserChoice {
  executablePath?: string;
  channel?: string;
  source: 'CHROMIUM_PATH' | 'playwright' | 'system' | 'channel';
}

/**
 * Picks the browser: `CHROMIUM_PATH` when set, else Playwright's own download when installed
 * (GitHub runners after `npx playwright install chromium`), else a system Chromium, else the
 * Chrome preinstalled on GitHub's runner images (`BROWSER_CHANNEL=chrome`).
 */
export function chooseBrowser(env: NodeJS.ProcessEnv = process.env): BrowserChoice {
  const configured = env.CHROMIUM_PATH?.trim();
  if (configured) {
    if (!existsSync(configured)) {
      throw new Error(`CHROMIUM_PATH is set to "${configured}" but no file is there; fix or unset it.`);
    }
    return { executablePath: configured, source: 'CHROMIUM_PATH' };
  }
  const channel = env.BROWSER_CHANNEL?.trim();
  if (channel) return { channel, source: 'channel' };
  const bundled = safeBundledPath();
  if (bundled && existsSync(bundled)) return { source: 'playwright' };
  const system = SYSTEM_CHROMIUM_PATHS.find((path) => existsSync(path));
  if (system) return { executablePath: system, source: 'system' };
  throw new Error(
    'No browser found. Install one (`npx playwright install chromium`, or `apt-get install chromium`) ' +
      'or set CHROMIUM_PATH to a Chromium executable.',
  );
}

function safeBundledPath(): string | undefined {
  try {
    return chromium.executablePath();
  } catch {
    return undefined;
  }
}

export async function launchBrowser(
  options: LaunchOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): Promise<Browser> {
  const choice = chooseBrowser(env);
  return chromium.launch({
    headless: true,
    ...options,
    ...(choice.executablePath ? { executablePath: choice.executablePath } : {}),
    ...(choice.channel ? { channel: choice.channel } : {}),
    args: [...CHROMIUM_ARGS, ...(options.args ?? [])],
  });
}
