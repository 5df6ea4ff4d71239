/**
 * Headless Chromium for browser tests: Debian's `chromium` (installed by ./crm) driven by
 * playwright-core, never a downloaded browser, with background networking off so the only
 * requests are the page's. Screenshots go to `.local/test-output/` (git-ignored).
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, chromium } from "playwright-core";

/** Where Debian installs Chromium. */
export const CHROMIUM = "/usr/bin/chromium";

/** Folder for screenshots and other test output (git-ignored). */
export const TEST_OUTPUT = join(
  fileURLToPath(new URL("../../../", import.meta.url)),
  ".local/test-output",
);

/** Launches headless Chromium with the project's flags. */
export async function launchChromium(): Promise<Browser> {
  try {
    await Deno.stat(CHROMIUM);
  } catch {
    throw new Error(`Cannot run browser tests: ${CHROMIUM} is missing (./crm test installs it)`);
  }
  return await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}
