// Checks sendflow's parent pages in headless Chromium, as a parent on a phone would use them:
// JavaScript off (the pages must work without it), a phone-sized screen, and axe-core run on
// every state of every page (WCAG 2.2 A/AA/AAA rules and best practices). Each step's
// screenshot is written to the output directory.
//
// Usage: node check.mjs <outdir> <flow>=<url> ...
// Flows: meeting, views, consent, plan, plan-pl, passport, used, tampered, expired, signin.
// Prints one line per check and exits 1 if any flow failed or axe found any violation.
//
// Chromium is Debian's (/usr/bin/chromium, or $CHROMIUM); nothing is downloaded.

import { start, phone, audit, expectText, open, press, follow, bigButtons, finish } from './lib.mjs';

const [outDir, ...specs] = process.argv.slice(2);
if (!outDir || specs.length === 0) {
  console.error('usage: node check.mjs <outdir> <flow>=<url> ...');
  process.exit(2);
}
const run = await start(outDir);

const flows = {
  async meeting(page, flow, url) {
    await open(run, page, flow, url, 200);
    await expectText(run, page, flow, 'open', 'Can you come?');
    await audit(run, page, flow, '1-open');
    await bigButtons(run, page, flow);
    await press(run, page, flow, 'accept', 'button[value="accepted"]', 200);
    await expectText(run, page, flow, 'answered', 'Thank you');
    await audit(run, page, flow, '2-answered');
    // The views link is offered after answering too; follow it.
    await follow(run, page, flow, 'views link', 'a[href*="/parent/views?"]', 200);
    await expectText(run, page, flow, 'views link', 'What is going well?');
  },
  async views(page, flow, url) {
    await open(run, page, flow, url, 200);
    await audit(run, page, flow, '1-open');
    await press(run, page, flow, 'empty', 'form[action="/parent/views"] button', 422);
    await expectText(run, page, flow, 'empty', 'Please write something in at least one box.');
    await audit(run, page, flow, '2-error');
    await page.getByLabel('What is going well?').fill('Reading together at bedtime.');
    await page.getByLabel('What is hard?').fill('Getting ready in the morning.');
    await page.getByLabel('What would help?').fill('A picture timetable at home.');
    await press(run, page, flow, 'send', 'form[action="/parent/views"] button', 200);
    await expectText(run, page, flow, 'sent', 'The school will read your views');
    await audit(run, page, flow, '3-sent');
  },
  async consent(page, flow, url) {
    await open(run, page, flow, url, 200);
    const wording = (await page.locator('#wording').innerText()).trim();
    if (wording.length < 20) run.fail(flow, `consent wording missing or short: "${wording}"`);
    await expectText(run, page, flow, 'open', 'Wording version:');
    await audit(run, page, flow, '1-open');
    await press(run, page, flow, 'give', 'button[value="give"]', 200);
    await expectText(run, page, flow, 'given', 'You have given consent.');
    await audit(run, page, flow, '2-given');
  },
  async plan(page, flow, url) {
    await open(run, page, flow, url, 200);
    await expectText(run, page, flow, 'open', 'support plan');
    await expectText(run, page, flow, 'open', 'Next dates');
    await audit(run, page, flow, '1-open');
  },
  async 'plan-pl'(page, flow, url) {
    await open(run, page, flow, url, 200, 'pl');
    await expectText(run, page, flow, 'open', 'Plan wsparcia');
    await audit(run, page, flow, '1-open');
  },
  async passport(page, flow, url) {
    // The child's profile from the home page: an empty box is an error, three boxes are a version.
    await open(run, page, flow, url, 200);
    await expectText(run, page, flow, 'open', 'Add your words');
    await audit(run, page, flow, '1-open');
    await page.getByLabel('What people like and admire about me').fill('I make people laugh.');
    await page.getByLabel('What is important to me').fill('My cat Biscuit.');
    await page.getByLabel('How best to support me').fill('');
    await press(run, page, flow, 'empty', 'form[action="/parent/passport"] button', 422);
    await expectText(run, page, flow, 'empty', 'Please write something in every box.');
    await audit(run, page, flow, '2-error');
    await page.getByLabel('How best to support me').fill('Tell me what is coming next.');
    await press(run, page, flow, 'save', 'form[action="/parent/passport"] button', 200);
    await expectText(run, page, flow, 'saved', 'Your words are saved');
    await audit(run, page, flow, '3-saved');
  },
  async used(page, flow, url) {
    // An answered invitation shows the answer and how to change it.
    await open(run, page, flow, url, 200);
    await expectText(run, page, flow, 'open', 'You told the school: No, I cannot come');
    await audit(run, page, flow, '1-open');
  },
  async tampered(page, flow, url) {
    await open(run, page, flow, url, 400);
    await expectText(run, page, flow, 'open', 'This link does not work');
    await audit(run, page, flow, '1-open');
  },
  async expired(page, flow, url) {
    await open(run, page, flow, url, 410);
    await expectText(run, page, flow, 'open', 'This link has expired');
    await audit(run, page, flow, '1-open');
  },
  async signin(page, flow, url) {
    await open(run, page, flow, url, 200);
    await audit(run, page, flow, '1-open');
    await press(run, page, flow, 'sign in', 'form[action="/parent/sign-in"] button', 200);
    await expectText(run, page, flow, 'signed in', 'Your children');
    await audit(run, page, flow, '2-signed-in');
    await follow(run, page, flow, 'plan link', 'a[href*="/parent/plan?"]', 200);
    await expectText(run, page, flow, 'plan link', 'Next dates');
  },
};

try {
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    const flow = spec.slice(0, eq);
    const url = spec.slice(eq + 1);
    const walk = flows[flow.replace(/-\d+$/, '')] || flows[flow];
    if (!walk) {
      run.fail(flow, 'unknown flow');
      continue;
    }
    const { context, page } = await phone(run);
    try {
      await walk(page, flow, url);
    } catch (err) {
      run.fail(flow, `error after "${run.lastStep}": ${err.message.split('\n')[0]}`);
      await page.screenshot({ path: `${outDir}/${flow}-error.png`, fullPage: true }).catch(() => {});
    }
    await context.close();
  }
} finally {
  await finish(run);
}
