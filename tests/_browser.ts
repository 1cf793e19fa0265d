// Copyright 2026 the notata authors. MIT license.
// A real Chromium, driven by puppeteer-core: Debian's `chromium` package,
// headless, as root (hence --no-sandbox). The report tests, the report
// benchmark row and docs/report.png all open reports through here.

import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { toFileUrl } from "@std/path";

/** Where Debian's `chromium` package puts the browser. */
export const CHROMIUM = "/usr/bin/chromium";

/** Why the browser tests cannot run here, or `undefined` when they can. */
export function chromiumMissing(): string | undefined {
  try {
    Deno.statSync(CHROMIUM);
    return undefined;
  } catch {
    return `no ${CHROMIUM} (apt-get install chromium)`;
  }
}

/** Starts a headless Chromium; close it with `await using`. */
export async function launchChromium(): Promise<Browser & AsyncDisposable> {
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
  return Object.assign(browser, { [Symbol.asyncDispose]: () => browser.close() });
}

/** What happened while a page loaded: its requests and console errors. */
export interface PageLog {
  /** Every URL the page asked for, the document itself included. */
  requests: string[];
  /** Console errors and uncaught exceptions. */
  errors: string[];
}

/**
 * Opens the HTML file at `path` in a new page of `browser`, recording every
 * request and console error, and waits until the report's script has run
 * (`<html data-ready>`). Returns the page, what it logged, and the
 * milliseconds from navigation to ready.
 */
export async function openReport(
  browser: Browser,
  path: string,
  options: { width?: number; height?: number; dark?: boolean } = {},
): Promise<{ page: Page; log: PageLog; readyMs: number }> {
  const page = await browser.newPage();
  await page.setViewport({ width: options.width ?? 1280, height: options.height ?? 900 });
  if (options.dark) {
    await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: "dark" }]);
  }
  const log: PageLog = { requests: [], errors: [] };
  page.on("request", (request) => void log.requests.push(request.url()));
  page.on("console", (message) => {
    if (message.type() === "error") log.errors.push(message.text());
  });
  page.on("pageerror", (error) => void log.errors.push(String(error)));
  const start = performance.now();
  await page.goto(toFileUrl(path).href, { waitUntil: "load" });
  await page.waitForSelector("html[data-ready]");
  return { page, log, readyMs: performance.now() - start };
}
