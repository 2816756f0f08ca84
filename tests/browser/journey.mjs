// Walks parents through four weeks of a journey on sendflow's parent pages, as they would on a
// phone: Debian's headless Chromium, a phone-sized screen, JavaScript off, and axe-core on every
// page state (WCAG 2.2 A/AA/AAA and best practices). Run by internal/app/browser_test.go, which
// plays the school's side between the weeks and makes the links of emails sent weeks before.
//
// Usage: node journey.mjs <outdir> <week1|week2|week3|week4> <spec.json>
// The spec names the dev stack (base) and, per parent, their address, language, the words to
// expect and the old links of the week. Every interaction finds buttons and links by their form
// or address, so the same walk works in every language. The parent's sign-in links are read
// from the dev mailbox (/dev/mail.json), as they would be from their inbox.
// Prints one line per check and exits 1 if any step failed or axe found any violation.

import { readFileSync } from 'node:fs';
import { start, phone, audit, expectText, open, press, follow, bigButtons, finish } from './lib.mjs';

const [outDir, week, specFile] = process.argv.slice(2);
if (!outDir || !week || !specFile) {
  console.error('usage: node journey.mjs <outdir> <week1|week2|week3|week4> <spec.json>');
  process.exit(2);
}
const spec = JSON.parse(readFileSync(specFile, 'utf8'));
const run = await start(outDir);

async function mailIDs() {
  const r = await fetch(spec.base + '/dev/mail.json');
  return new Set((await r.json()).map(m => m.ID));
}

// signInLink waits for a new sign-in email to the parent and returns its link.
async function signInLink(p, seen) {
  const deadline = Date.now() + 60000;
  while (Date.now() < deadline) {
    const msgs = await (await fetch(spec.base + '/dev/mail.json')).json();
    for (const m of msgs) {
      if (seen.has(m.ID) || !m.To.includes(p.email)) continue;
      const link = (m.Text.match(/https?:\/\/\S+\/parent\/sign-in\?token=[A-Za-z0-9_-]+/) || [])[0];
      if (link) return link;
    }
    await new Promise(res => setTimeout(res, 250));
  }
  throw new Error(`no sign-in email reached ${p.email}`);
}

// signIn asks for a sign-in link on /parent, takes it from the mailbox and signs in.
async function signIn(page, flow, p, step) {
  const seen = await mailIDs();
  await open(run, page, flow, spec.base + '/parent', 200, p.lang);
  await audit(run, page, flow, `${step}a-ask`);
  await page.locator('#email').fill(p.email);
  await press(run, page, flow, `${step}b-asked`, 'form[action="/parent/sign-in"] button', 200, p.lang);
  await audit(run, page, flow, `${step}b-asked`);
  await open(run, page, flow, await signInLink(p, seen), 200, p.lang);
  await audit(run, page, flow, `${step}c-sign-in`);
  await press(run, page, flow, `${step}d-home`, 'form[action="/parent/sign-in"] button', 200, p.lang);
  await audit(run, page, flow, `${step}d-home`);
  await expectText(run, page, flow, `${step}d-home`, p.child);
}

const weeks = {
  // Week 1: the plan link from the first email is more than 7 days old: the parent gets a new
  // link from its page and signs in; then answers the review meeting invitation from an email of
  // 10 days ago, and sees the answer when they open it again. A mistyped address is explained.
  async week1(page, flow, p) {
    await open(run, page, flow, p.links.expiredPlan, 410, p.lang);
    await expectText(run, page, flow, '1-expired', p.text.expired);
    await audit(run, page, flow, '1-expired');
    const seen = await mailIDs();
    await press(run, page, flow, '2-new-link', 'form[action="/parent/sign-in/new-link"] button', 200, p.lang);
    await audit(run, page, flow, '2-new-link');
    await open(run, page, flow, await signInLink(p, seen), 200, p.lang);
    await audit(run, page, flow, '3-sign-in');
    await press(run, page, flow, '4-home', 'form[action="/parent/sign-in"] button', 200, p.lang);
    await expectText(run, page, flow, '4-home', p.child);
    await expectText(run, page, flow, '4-home', p.text.stage);
    await audit(run, page, flow, '4-home');

    await open(run, page, flow, p.links.oldMeeting, 200, p.lang);
    await bigButtons(run, page, flow);
    await audit(run, page, flow, '5-meeting');
    await press(run, page, flow, '6-accepted', 'button[value="accepted"]', 200, p.lang);
    await audit(run, page, flow, '6-accepted');
    await open(run, page, flow, p.links.oldMeeting, 200, p.lang);
    await expectText(run, page, flow, '7-answered', p.text.answered);
    await bigButtons(run, page, flow);
    await audit(run, page, flow, '7-answered');

    await open(run, page, flow, spec.base + '/parent', 200, p.lang);
    await page.locator('#email').fill('not an address');
    await press(run, page, flow, '8-ask-error', 'form[action="/parent/sign-in"] button', 422, p.lang);
    await audit(run, page, flow, '8-ask-error');
  },
  // Week 2: the school asks for consent to a referral; the parent signs in and answers from
  // their home page, reading the wording in their language where it is approved.
  async week2(page, flow, p) {
    await signIn(page, flow, p, '1');
    await follow(run, page, flow, '2-consent', 'a[href*="/parent/consent?"]', 200, p.lang);
    const lang = await page.getAttribute('#wording', 'lang');
    if (lang !== p.wordingLang) run.fail(flow, `consent wording lang="${lang}", want ${p.wordingLang}`);
    await bigButtons(run, page, flow);
    await audit(run, page, flow, '2-consent');
    await press(run, page, flow, '3-consent-given', 'button[value="give"]', 200, p.lang);
    await expectText(run, page, flow, '3-consent-given', p.text.consentGiven);
    await audit(run, page, flow, '3-consent-given');
  },
  // Week 3: before the review, the parent gives their views from their home page.
  async week3(page, flow, p) {
    await signIn(page, flow, p, '1');
    await follow(run, page, flow, '2-views', 'a[href*="/parent/views?"]', 200, p.lang);
    await audit(run, page, flow, '2-views');
    await press(run, page, flow, '3-views-empty', 'form[action="/parent/views"] button', 422, p.lang);
    await audit(run, page, flow, '3-views-empty');
    await page.locator('#going-well').fill(p.views.goingWell);
    await page.locator('#hard').fill(p.views.hard);
    await page.locator('#would-help').fill(p.views.wouldHelp);
    await press(run, page, flow, '4-views-sent', 'form[action="/parent/views"] button', 200, p.lang);
    await expectText(run, page, flow, '4-views-sent', p.text.viewsDone);
    await audit(run, page, flow, '4-views-sent');
  },
  // Week 4: the review has been held. The views link from the invitation of 9 days ago says so
  // and how to share more; the outcome email's link shows what was agreed; the parent changes
  // the language of their emails and pages on their home page.
  async week4(page, flow, p) {
    await open(run, page, flow, p.links.oldViews, 410, p.lang);
    await expectText(run, page, flow, '1-views-closed', p.text.reviewHappened);
    await audit(run, page, flow, '1-views-closed');
    await open(run, page, flow, p.links.outcomePlan, 200, p.lang);
    await expectText(run, page, flow, '2-plan', p.text.achieved);
    await audit(run, page, flow, '2-plan');
    await signIn(page, flow, p, '3');
    await page.selectOption('#language', p.switchTo);
    await press(run, page, flow, '4-language', 'form[action="/parent/language"] button', 200, p.switchTo);
    await audit(run, page, flow, '4-language');
  },
};

try {
  const walk = weeks[week];
  if (!walk) throw new Error(`no such week: ${week}`);
  for (const p of spec.parents) {
    const flow = `${week}-${p.flow}`;
    const { context, page } = await phone(run, p.locale);
    try {
      await walk(page, flow, p);
    } catch (err) {
      run.fail(flow, `error after "${run.lastStep}": ${err.message.split('\n')[0]}`);
      await page.screenshot({ path: `${outDir}/${flow}-error.png`, fullPage: true }).catch(() => {});
    }
    await context.close();
  }
} finally {
  await finish(run);
}
