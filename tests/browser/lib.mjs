// Shared by the browser checks (check.mjs, journey.mjs): Debian's headless Chromium through
// playwright-core (nothing is downloaded), a phone-sized page with JavaScript off (the parent
// pages must work with plain HTML forms), and axe-core run on every state of every page.

import { chromium } from 'playwright-core';
import { createRequire } from 'node:module';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

// A run: its failures, its screenshots' directory and the browser.
export async function start(outDir) {
  mkdirSync(outDir, { recursive: true });
  const run = { outDir, failures: [], lastStep: '' };
  run.fail = (flow, msg) => { run.failures.push(`${flow}: ${msg}`); console.log(`FAIL ${flow}: ${msg}`); };
  run.ok = (flow, msg) => { run.lastStep = msg; console.log(`ok   ${flow}: ${msg}`); };
  run.browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  // axe needs timers, which do not run on a page with JavaScript off; so each state of a page is
  // copied (its HTML is self-contained: no scripts, images or style sheets) into a page with
  // JavaScript on, at the same size, and audited there.
  const auditContext = await run.browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, bypassCSP: true });
  run.auditPage = await auditContext.newPage();
  run.auditPage.setDefaultTimeout(30000);
  // First make sure axe really finds problems: a page with known ones must fail the audit.
  await run.auditPage.setContent('<html><body><p style="color:#aaa;background:#fff">faint</p><button></button></body></html>');
  await run.auditPage.evaluate(axeSource);
  // eslint-disable-next-line no-undef
  const found = await run.auditPage.evaluate(async () => (await axe.run(document)).violations.map(v => v.id));
  for (const id of ['html-has-lang', 'color-contrast', 'button-name']) {
    if (!found.includes(id)) run.fail('self-check', `axe did not report ${id} on a page that has it (found ${found.join(', ')})`);
  }
  if (run.failures.length === 0) run.ok('self-check', `axe reports known problems (${found.join(', ')})`);
  return run;
}

// A phone with JavaScript off.
export async function phone(run, locale = 'en-GB') {
  const context = await run.browser.newContext({
    viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true,
    javaScriptEnabled: false, locale,
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  return { context, page };
}

// audit runs axe on the page as it is now and records every violation, and keeps a screenshot.
export async function audit(run, page, flow, step) {
  await run.auditPage.setContent(await page.content(), { waitUntil: 'load' });
  await run.auditPage.evaluate(axeSource);
  const result = await run.auditPage.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag2aaa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
      resultTypes: ['violations'],
    });
    return r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5) }));
  });
  for (const v of result) {
    run.fail(flow, `${step}: axe ${v.id} (${v.impact}): ${v.help} at ${v.nodes.join(', ')}`);
  }
  if (result.length === 0) run.ok(flow, `${step}: no axe violations`);
  run.audited = (run.audited || 0) + 1;
  await page.screenshot({ path: join(run.outDir, `${flow}-${step}.png`), fullPage: true });
}

export async function expectText(run, page, flow, step, text) {
  const body = await page.locator('body').innerText();
  if (!body.includes(text)) run.fail(flow, `${step}: page lacks "${text}"`);
  else run.ok(flow, `${step}: shows "${text}"`);
}

// open loads a page and checks its status, its language and that it is made for a phone.
export async function open(run, page, flow, url, wantStatus, wantLang) {
  const resp = await page.goto(url, { waitUntil: 'load' });
  const status = resp ? resp.status() : 0;
  if (status !== wantStatus) run.fail(flow, `GET ${new URL(url).pathname} status ${status}, want ${wantStatus}`);
  await pageChecks(run, page, flow, wantLang);
  return status;
}

async function pageChecks(run, page, flow, wantLang) {
  const lang = await page.getAttribute('html', 'lang');
  if (!lang) run.fail(flow, 'no lang attribute');
  if (wantLang && lang !== wantLang) run.fail(flow, `lang="${lang}", want ${wantLang}`);
  const viewport = await page.getAttribute('meta[name="viewport"]', 'content');
  if (!viewport || !viewport.includes('width=device-width')) run.fail(flow, 'no mobile viewport');
}

// navigated waits for the page a click leads to (after any redirect) and returns its response.
function navigated(page) {
  return page.waitForResponse(r => r.request().isNavigationRequest() && r.frame() === page.mainFrame() &&
    (r.status() < 300 || r.status() >= 400));
}

// press clicks a button (found by a selector, so it works in every language), waits for the
// page the form answers with (after any redirect) and checks its status.
export async function press(run, page, flow, step, selector, wantStatus, wantLang) {
  const answered = navigated(page);
  await page.locator(selector).first().click({ noWaitAfter: true });
  const resp = await answered;
  await page.waitForLoadState('load');
  if (resp.status() !== wantStatus) run.fail(flow, `${step}: status ${resp.status()}, want ${wantStatus}`);
  else run.ok(flow, `${step}: ${resp.status()}`);
  await pageChecks(run, page, flow, wantLang);
}

// follow taps a link (by selector) and waits for the page it leads to.
export async function follow(run, page, flow, step, selector, wantStatus, wantLang) {
  await press(run, page, flow, step, selector, wantStatus, wantLang);
}

// big checks every button is big enough to tap on a phone (at least 44px high).
export async function bigButtons(run, page, flow) {
  for (const b of await page.getByRole('button').all()) {
    const box = await b.boundingBox();
    if (!box || box.height < 44) run.fail(flow, `button "${await b.innerText()}" is ${box ? box.height : 0}px high`);
  }
}

export async function finish(run) {
  await run.browser.close();
  if (run.failures.length > 0) {
    console.log(`${run.failures.length} failure(s)`);
    process.exit(1);
  }
  console.log(`all flows passed (${run.audited || 0} page states audited)`);
}
