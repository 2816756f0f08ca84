// Checks sendflow's parent pages in headless Chromium, as a parent on a phone would use them:
// JavaScript off (the pages must work without it), a phone-sized screen, and axe-core run on
// every state of every page (WCAG 2.2 A/AA/AAA rules and best practices). Each step's
// screenshot is written to the output directory.
//
// Usage: node check.mjs <outdir> <flow>=<url> ...
// Flows: meeting, views, consent, plan, plan-pl, used, tampered, expired, signin.
// Prints one line per check and exits 1 if any flow failed or axe found any violation.
//
// Chromium is Debian's (/usr/bin/chromium, or $CHROMIUM); nothing is downloaded.

import { chromium } from 'playwright-core';
import { createRequire } from 'node:module';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const [outDir, ...specs] = process.argv.slice(2);
if (!outDir || specs.length === 0) {
  console.error('usage: node check.mjs <outdir> <flow>=<url> ...');
  process.exit(2);
}
mkdirSync(outDir, { recursive: true });

const failures = [];
let lastStep = '';
const fail = (flow, msg) => { failures.push(`${flow}: ${msg}`); console.log(`FAIL ${flow}: ${msg}`); };
const ok = (flow, msg) => { lastStep = msg; console.log(`ok   ${flow}: ${msg}`); };

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

// axe needs timers, which do not run on a page with JavaScript off; so each state of a page is
// copied (its HTML is self-contained: no scripts, images or style sheets) into a page with
// JavaScript on, at the same size, and audited there.
let auditPage;

// audit runs axe on the page as it is now and records every violation.
async function audit(page, flow, step) {
  await auditPage.setContent(await page.content(), { waitUntil: 'load' });
  await auditPage.evaluate(axeSource);
  const result = await auditPage.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag2aaa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
      resultTypes: ['violations'],
    });
    return r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5) }));
  });
  for (const v of result) {
    fail(flow, `${step}: axe ${v.id} (${v.impact}): ${v.help} at ${v.nodes.join(', ')}`);
  }
  if (result.length === 0) ok(flow, `${step}: no axe violations`);
  const file = join(outDir, `${flow}-${step}.png`);
  await page.screenshot({ path: file, fullPage: true });
}

async function expectText(page, flow, step, text) {
  const body = await page.locator('body').innerText();
  if (!body.includes(text)) fail(flow, `${step}: page lacks "${text}"`);
  else ok(flow, `${step}: shows "${text}"`);
}

async function open(page, flow, url, wantStatus) {
  const resp = await page.goto(url, { waitUntil: 'load' });
  const status = resp ? resp.status() : 0;
  if (status !== wantStatus) fail(flow, `GET status ${status}, want ${wantStatus}`);
  const lang = await page.getAttribute('html', 'lang');
  if (!lang) fail(flow, 'no lang attribute');
  const viewport = await page.getAttribute('meta[name="viewport"]', 'content');
  if (!viewport || !viewport.includes('width=device-width')) fail(flow, 'no mobile viewport');
  return status;
}

// submit clicks a button and checks the status of the page the form answered with.
async function submit(page, flow, step, button, wantStatus) {
  const answered = page.waitForResponse(r => r.request().method() === 'POST');
  await page.getByRole('button', { name: button }).click({ noWaitAfter: true });
  const resp = await answered;
  await page.waitForLoadState('load');
  if (resp.status() !== wantStatus) fail(flow, `${step}: POST status ${resp.status()}, want ${wantStatus}`);
  else ok(flow, `${step}: POST ${resp.status()}`);
}

// follow taps a link and waits for the page it leads to.
async function follow(page, name, urlPattern) {
  await page.getByRole('link', { name }).first().click({ noWaitAfter: true });
  await page.waitForURL(urlPattern);
  await page.waitForLoadState('load');
}

const flows = {
  async meeting(page, flow, url) {
    await open(page, flow, url, 200);
    await expectText(page, flow, 'open', 'Can you come?');
    await audit(page, flow, '1-open');
    // Big enough to tap: every button at least 44px high on a phone.
    for (const b of await page.getByRole('button').all()) {
      const box = await b.boundingBox();
      if (!box || box.height < 44) fail(flow, `button "${await b.innerText()}" is ${box ? box.height : 0}px high`);
    }
    await submit(page, flow, 'accept', 'Yes, I can come', 200);
    await expectText(page, flow, 'answered', 'Thank you');
    await audit(page, flow, '2-answered');
    // The views link is offered after answering too; follow it.
    await follow(page, 'Give your views', /\/parent\/views\?/);
    await expectText(page, flow, 'views link', 'What is going well?');
  },
  async views(page, flow, url) {
    await open(page, flow, url, 200);
    await audit(page, flow, '1-open');
    await submit(page, flow, 'empty', 'Send my views', 422);
    await expectText(page, flow, 'empty', 'Please write something in at least one box.');
    await audit(page, flow, '2-error');
    await page.getByLabel('What is going well?').fill('Reading together at bedtime.');
    await page.getByLabel('What is hard?').fill('Getting ready in the morning.');
    await page.getByLabel('What would help?').fill('A picture timetable at home.');
    await submit(page, flow, 'send', 'Send my views', 200);
    await expectText(page, flow, 'sent', 'The school will read your views');
    await audit(page, flow, '3-sent');
  },
  async consent(page, flow, url) {
    await open(page, flow, url, 200);
    const wording = (await page.locator('#wording').innerText()).trim();
    if (wording.length < 20) fail(flow, `consent wording missing or short: "${wording}"`);
    await expectText(page, flow, 'open', 'Wording version:');
    await audit(page, flow, '1-open');
    await submit(page, flow, 'give', 'I give consent', 200);
    await expectText(page, flow, 'given', 'You have given consent.');
    await audit(page, flow, '2-given');
  },
  async plan(page, flow, url) {
    await open(page, flow, url, 200);
    await expectText(page, flow, 'open', 'support plan');
    await expectText(page, flow, 'open', 'Next dates');
    await audit(page, flow, '1-open');
  },
  async 'plan-pl'(page, flow, url) {
    await open(page, flow, url, 200);
    const lang = await page.getAttribute('html', 'lang');
    if (lang !== 'pl') fail(flow, `lang="${lang}", want pl`);
    await expectText(page, flow, 'open', 'Plan wsparcia');
    await audit(page, flow, '1-open');
  },
  async used(page, flow, url) {
    await open(page, flow, url, 410);
    await expectText(page, flow, 'open', 'This link has already been used');
    await audit(page, flow, '1-open');
  },
  async tampered(page, flow, url) {
    await open(page, flow, url, 400);
    await expectText(page, flow, 'open', 'This link does not work');
    await audit(page, flow, '1-open');
  },
  async expired(page, flow, url) {
    await open(page, flow, url, 410);
    await expectText(page, flow, 'open', 'This link has expired');
    await audit(page, flow, '1-open');
  },
  async signin(page, flow, url) {
    await open(page, flow, url, 200);
    await audit(page, flow, '1-open');
    await submit(page, flow, 'sign in', 'Sign in', 200);
    await expectText(page, flow, 'signed in', 'You are signed in');
    await audit(page, flow, '2-signed-in');
    await follow(page, /plan and next dates/, /\/parent\/plan\?/);
    await expectText(page, flow, 'plan link', 'Next dates');
  },
};

const auditContext = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, bypassCSP: true });
auditPage = await auditContext.newPage();
auditPage.setDefaultTimeout(30000);

// First make sure axe really finds problems: a page with known ones must fail the audit.
{
  await auditPage.setContent('<html><body><p style="color:#aaa;background:#fff">faint</p><button></button></body></html>');
  await auditPage.evaluate(axeSource);
  // eslint-disable-next-line no-undef
  const found = await auditPage.evaluate(async () => (await axe.run(document)).violations.map(v => v.id));
  for (const id of ['html-has-lang', 'color-contrast', 'button-name']) {
    if (!found.includes(id)) fail('self-check', `axe did not report ${id} on a page that has it (found ${found.join(', ')})`);
  }
  if (failures.length === 0) ok('self-check', `axe reports known problems (${found.join(', ')})`);
}

try {
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    const flow = spec.slice(0, eq);
    const url = spec.slice(eq + 1);
    const run = flows[flow.replace(/-\d+$/, '')] || flows[flow];
    if (!run) {
      fail(flow, 'unknown flow');
      continue;
    }
    // A phone, no JavaScript: the pages must work with plain HTML forms.
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true,
      javaScriptEnabled: false, locale: 'en-GB',
    });
    const page = await context.newPage();
    page.setDefaultTimeout(15000);
    try {
      await run(page, flow, url);
    } catch (err) {
      fail(flow, `error after "${lastStep}": ${err.message.split('\n')[0]}`);
      await page.screenshot({ path: join(outDir, `${flow}-error.png`), fullPage: true }).catch(() => {});
    }
    await context.close();
  }
} finally {
  await browser.close();
}

if (failures.length > 0) {
  console.log(`${failures.length} failure(s)`);
  process.exit(1);
}
console.log('all flows passed');
