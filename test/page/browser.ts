/**
 * The headless Chromium of the browser tests: Debian's package (`apt-get install chromium`, which `.ci/run` does), driven
 * by playwright-core. Nothing downloads a browser.
 */
import { existsSync } from "node:fs";
import { chromium, type Browser, type Page } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Launches the browser, failing with the fix when it is missing; `extraArgs` are added to its command line. */
export async function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: run \`apt-get install -y chromium\` (.ci/run does), or set CHROMIUM_PATH.`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      ...extraArgs,
    ],
  });
}

/** What a page did that a safe page never does. */
export interface PageIncidents {
  dialogs: string[];
  errors: string[];
  /** Requests to anywhere but the page's own origin. */
  foreignRequests: string[];
}

/** Opens a page that records dialogs, script errors and requests leaving the origin, and dismisses every dialog. */
export async function openRecordedPage(browser: Browser, url: string, width = 1280): Promise<{ page: Page; incidents: PageIncidents }> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const incidents: PageIncidents = { dialogs: [], errors: [], foreignRequests: [] };
  const origin = new URL(url).origin;
  page.on("dialog", (dialog) => {
    incidents.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on("pageerror", (error) => incidents.errors.push(error.message));
  page.on("request", (request) => {
    if (!request.url().startsWith(origin) && !request.url().startsWith("data:")) incidents.foreignRequests.push(request.url());
  });
  await page.goto(url);
  await page.locator('[data-connection="live"]').waitFor({ timeout: 10_000 });
  return { page, incidents };
}
