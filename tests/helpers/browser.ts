/**
 * Headless Chromium for the browser tests (Debian's package, driven by playwright-core). Locally a
 * missing browser skips the suite with a message; under CI the suite runs and each test fails with
 * the reason (.ci/run installs it). Pages are offline: any request that leaves the server under test
 * is refused and recorded, as are page errors and console errors, for the test to assert on.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { PROJECT_ROOT } from './server-process.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/** Where screenshots go. */
export const OUTPUT_DIR = path.join(PROJECT_ROOT, 'test-output');

export const chromiumMissing = !fs.existsSync(CHROMIUM);
const missingMessage = `no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`;

/** Whether `name` (a describe title) is skipped here, and its title saying so. */
export function browserSuite(name: string, file: string): { skip: boolean; title: string } {
  const skip = chromiumMissing && !process.env.CI;
  if (skip) console.warn(`${file} skipped: ${missingMessage}`);
  return { skip, title: skip ? `${name} — SKIPPED: ${missingMessage}` : name };
}

/** Under CI without Chromium: the reason each test fails with. */
export function requireChromium(): void {
  if (chromiumMissing) throw new Error(`Chromium is required under CI: ${missingMessage}; .ci/run installs it`);
}

export interface OfflineBrowser {
  context: BrowserContext;
  page: Page;
  /** Requests to other origins, page errors and console errors, as they happened. */
  problems: string[];
  close(): Promise<void>;
}

/** A browser whose page may reach `serverUrl` (and data: and blob: URLs) and nothing else. */
export async function openOfflineBrowser(serverUrl: string, viewport: { width: number; height: number }): Promise<OfflineBrowser> {
  const problems: string[] = [];
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'barong-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS, viewport });
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(serverUrl) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
    problems.push(`request to another origin: ${url}`);
    return route.abort();
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  fs.mkdirSync(OUTPUT_DIR, { recursive: true });
  return {
    context,
    page,
    problems,
    async close() {
      await context.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
