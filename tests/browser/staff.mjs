// The staff journey in headless Chromium, through the pages only: each role signs in through the
// dev identity provider (the same OpenID Connect code flow as at a school) and does its part —
// a teacher's concern, the SENDCo's triage, plan, meeting and review (seeing the views the parent
// sent from their email), a referral with its readiness check and the SENDCo's decision, the
// parent's consent from their email, the educational psychologist's advice, an EHC needs
// assessment with the council's steps, and the plan's first annual review. JavaScript is off in
// the browser the journey runs in (every page must work without it); every state of every page
// is audited by axe-core (WCAG 2.2 A and AA, and best practice) at 390 px and 1280 px wide, and a
// screenshot of each is kept.
//
// Usage: node staff.mjs <outdir> <base url> <pupil id>
// Prints one line per check and exits 1 if any check failed or axe found any violation.
// Chromium is Debian's (/usr/bin/chromium, or $CHROMIUM); nothing is downloaded.

import { chromium } from 'playwright-core';
import { createRequire } from 'node:module';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const [outDir, base, pupil] = process.argv.slice(2);
if (!outDir || !base || !pupil) {
  console.error('usage: node staff.mjs <outdir> <base url> <pupil id>');
  process.exit(2);
}
mkdirSync(outDir, { recursive: true });

const failures = [];
let audited = 0;
const fail = (who, msg) => { failures.push(`${who}: ${msg}`); console.log(`FAIL ${who}: ${msg}`); };
const ok = (who, msg) => console.log(`ok   ${who}: ${msg}`);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

// axe needs timers, which do not run on a page with JavaScript off: each state of a page is
// copied, without its scripts (as a browser without JavaScript shows it), into a page on the same
// site with JavaScript on, at each width, and audited there.
const widths = { phone: { width: 390, height: 844 }, desktop: { width: 1280, height: 900 } };
const auditPages = {};
for (const [name, viewport] of Object.entries(widths)) {
  const ctx = await browser.newContext({ viewport, bypassCSP: true });
  auditPages[name] = await ctx.newPage();
  auditPages[name].setDefaultTimeout(30000);
}

async function selfCheck() {
  const p = auditPages.phone;
  await p.setContent('<html><body><p style="color:#aaa;background:#fff">faint</p><button></button></body></html>');
  await p.evaluate(axeSource);
  // eslint-disable-next-line no-undef
  const found = await p.evaluate(async () => (await axe.run(document)).violations.map(v => v.id));
  for (const id of ['html-has-lang', 'color-contrast', 'button-name']) {
    if (!found.includes(id)) fail('self-check', `axe did not report ${id} on a page that has it (found ${found.join(', ')})`);
  }
  ok('self-check', `axe reports known problems (${found.join(', ')})`);
}

// audit runs axe on the page as it is now, at both widths, and keeps a screenshot of each.
async function audit(page, who, step) {
  const html = (await page.content()).replace(/<script\b[^>]*>[\s\S]*?<\/script>/gi, '');
  const at = page.url();
  for (const [name, p] of Object.entries(auditPages)) {
    // On the page's own address, so its style sheet loads as it does for the person.
    await p.goto(new URL('/assets/VERSION', at).href);
    await p.setContent(html, { waitUntil: 'load' });
    await p.evaluate(axeSource);
    const result = await p.evaluate(async () => {
      // eslint-disable-next-line no-undef
      const r = await axe.run(document, {
        runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
        resultTypes: ['violations'],
      });
      return r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5) }));
    });
    for (const v of result) fail(who, `${step} (${name}): axe ${v.id} (${v.impact}): ${v.help} at ${v.nodes.join(', ')}`);
    await p.screenshot({ path: join(outDir, `${String(++audited).padStart(3, '0')}-${who}-${step}-${name}.png`), fullPage: true, timeout: 180000 });
  }
  ok(who, `${step}: audited at 390 and 1280 px`);
}

async function expectText(page, who, step, ...texts) {
  const body = await page.locator('body').innerText();
  const missing = texts.filter(text => !body.includes(text));
  for (const text of missing) fail(who, `${step}: page lacks "${text}"`);
  if (missing.length) console.log(`     at ${page.url()}:\n${body.slice(0, 1500)}`);
}

async function expectStatus(resp, who, step, want) {
  const got = resp ? resp.status() : 0;
  if (got !== want) fail(who, `${step}: status ${got}, want ${want}`);
}

// A person on a phone with JavaScript off.
async function person() {
  const context = await browser.newContext({ viewport: widths.phone, isMobile: true, hasTouch: true, javaScriptEnabled: false, locale: 'en-GB' });
  const page = await context.newPage();
  page.setDefaultTimeout(20000);
  return page;
}

// submit presses a form's button and waits for the page it leads to.
async function submit(page, button) {
  const [resp] = await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    page.getByRole('button', { name: button, exact: true }).first().click(),
  ]);
  return resp;
}

async function follow(page, selector) {
  const [resp] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click(selector)]);
  return resp;
}

// signIn signs in as who from the sign-in page, through the dev identity provider.
async function signIn(page, who, email, next = '/') {
  let resp = await page.goto(new URL(next, base).href, { waitUntil: 'load' });
  await expectText(page, who, 'signed out', 'Sign in to sendflow');
  if (!page.url().includes('/sign-in')) fail(who, `signed out, ${next} did not ask to sign in (at ${page.url()})`);
  await audit(page, who, 'sign-in');
  resp = await submit(page, 'Sign in');
  await expectText(page, who, 'identity provider', 'Choose a demo account');
  await audit(page, who, 'identity-provider');
  await page.check(`input[name="email"][value="${email}"]`);
  resp = await submit(page, 'Continue');
  await expectStatus(resp, who, 'signed in', 200);
  await expectText(page, who, 'signed in', 'Signed in as');
  return resp;
}

// settle: a new record's own page opens straight after its form when the read model has it;
// on a busy machine the form leads back to the pupil's page instead, and the record's link
// appears there once it has arrived (however long that takes).
async function settle(page, link) {
  if (!new URL(page.url()).pathname.match(/^\/pupils\/[^/]+$/)) return;
  while (await page.locator(link).count() === 0) {
    await new Promise(res => setTimeout(res, 500));
    await page.goto(pupilPage, { waitUntil: 'load' });
  }
  await follow(page, link);
}

// today is the date on the pupil's calendar, from their page (time runs faster in this demo).
async function today(page) {
  await page.goto(new URL(`/pupils/${pupil}`, base).href, { waitUntil: 'load' });
  const iso = await page.getAttribute('#pathway-today time', 'datetime').catch(() => null);
  return iso ? new Date(iso + 'T12:00:00Z') : new Date();
}

const isoDate = (d, plusDays) => new Date(d.getTime() + plusDays * 86400000).toISOString().slice(0, 10);

// mailLink waits for the newest email to an address holding a link to a parent page.
async function mailLink(to, kind, after) {
  for (let i = 0; i < 1200; i++) {
    const r = await fetch(new URL('/dev/mail.json', base));
    const msgs = await r.json();
    for (const m of msgs) {
      if (!m.To.includes(to) || new Date(m.ReceivedAt) < after) continue;
      const link = (m.Text.match(new RegExp(`https?://[^\\s"<>]+/parent/${kind}\\?t=[^\\s"<>]+`)) || [])[0];
      if (link) return link;
    }
    await new Promise(res => setTimeout(res, 500));
  }
  fail('parent', `no email to ${to} with a /parent/${kind} link`);
  return null;
}

await selfCheck();
const started = new Date(Date.now() - 60000);
const pupilPage = new URL(`/pupils/${pupil}`, base).href;

// ---- The class teacher raises a concern ----
{
  const who = 'teacher';
  const page = await person();
  await signIn(page, who, 'teacher.oak@oakfield.example');
  await expectText(page, who, 'home', 'My class: Oak', 'Amara Okafor');
  await audit(page, who, 'home');
  await follow(page, `a[href="/pupils/${pupil}"]`);
  await audit(page, who, 'pupil');
  await follow(page, `a[href="/pupils/${pupil}/concern"]`);
  await audit(page, who, 'concern-areas');
  let resp = await submit(page, 'Continue');
  await expectStatus(resp, who, 'no area chosen', 422);
  await expectText(page, who, 'no area chosen', 'There is a problem', 'Choose at least one area of need');
  await audit(page, who, 'concern-areas-error');
  await page.check('input[name="areas"][value="communication_and_interaction"]');
  await submit(page, 'Continue');
  await expectText(page, who, 'concern form', 'What have you seen?', 'Visual timetable');
  resp = await submit(page, 'Send to the SENDCo');
  await expectStatus(resp, who, 'nothing written', 422);
  await expectText(page, who, 'nothing written', 'There is a problem', 'What you have seen is missing');
  await audit(page, who, 'concern-error');
  const started = isoDate(new Date(), -21);
  await page.fill('#observed', 'Finds it hard to follow spoken instructions given to the whole class.');
  await page.check('input[name="indicators"][value="ci.i.misses-instructions"]');
  await page.check('input[name="strategies"][value="ci.s.visual-timetable"]');
  await page.fill('#started-ci-s-visual-timetable', started);
  await page.fill('#frequency-ci-s-visual-timetable', 'every lesson');
  await page.check('input[name="strategies"][value="ci.s.chunked-instructions"]');
  await page.fill('#started-ci-s-chunked-instructions', started);
  resp = await submit(page, 'Send to the SENDCo');
  await expectStatus(resp, who, 'concern raised', 200);
  await expectText(page, who, 'concern raised', 'Your concern about Amara is recorded', 'Finds it hard to follow spoken instructions', 'Visual timetable');
  await audit(page, who, 'concern-raised');
  await page.context().close();
}

// ---- The SENDCo triages, agrees a plan and arranges the review meeting ----
const sendco = await person();
{
  const who = 'sendco';
  const page = sendco;
  await signIn(page, who, 'sendco@oakfield.example');
  await expectText(page, who, 'caseload', 'Caseload: Oakfield Primary', 'Concerns waiting for triage', 'Amara Okafor');
  await audit(page, who, 'caseload');
  await follow(page, `a[href="/pupils/${pupil}/triage"]`);
  await expectText(page, who, 'triage', 'Finds it hard to follow spoken instructions');
  await audit(page, who, 'triage');
  await page.check('input[name="decision"][value="sen_support"]');
  await submit(page, 'Record the decision');
  await expectText(page, who, 'plan form', 'Agree a support plan', 'now gets SEN support');
  await audit(page, who, 'plan');
  const day = await today(page);
  await page.goBack();
  await page.goto(new URL(`/pupils/${pupil}/plan`, base).href, { waitUntil: 'load' });
  await page.fill('#outcomes-0', 'Follows two-step instructions in class');
  await page.fill('#outcomes-1', 'Asks for help when stuck');
  await page.fill('#provision-0-text', 'Small group language sessions with the teaching assistant');
  await page.fill('#provision-0-frequency', '3 times a week');
  await page.fill('#reviewDate', isoDate(day, 20));
  await page.fill('#parentViews', 'Mum says mornings are hardest.');
  await page.fill('#pupilViews', 'Amara likes the picture timetable.');
  let resp = await submit(page, 'Agree the plan');
  await expectStatus(resp, who, 'plan agreed', 200);
  await expectText(page, who, 'plan agreed', 'Support plan 1 is agreed', 'Follows two-step instructions in class');
  await audit(page, who, 'plan-agreed');

  await follow(page, `a[href="/pupils/${pupil}/meetings/new"]`);
  await audit(page, who, 'meeting');
  const meetingDay = await today(page);
  await page.goto(new URL(`/pupils/${pupil}/meetings/new`, base).href, { waitUntil: 'load' });
  await page.check('input[name="kind"][value="review"]');
  await page.fill('#date', isoDate(meetingDay, 20));
  await page.fill('#time', '15:30');
  await page.fill('#location', 'the school library');
  resp = await submit(page, 'Arrange the meeting');
  await expectStatus(resp, who, 'meeting arranged', 200);
  await expectText(page, who, 'meeting arranged', 'The meeting is arranged', 'the school library');
  await audit(page, who, 'meeting-arranged');
}

// ---- The parent answers the invitation and sends their views, from their email ----
{
  const who = 'parent';
  const page = await person();
  const link = await mailLink('parent.amara@example.org', 'meeting', started);
  if (link) {
    await page.goto(link, { waitUntil: 'load' });
    await submit(page, 'Yes, I can come');
    await follow(page, 'a[href*="/parent/views"]');
    await page.fill('#going-well', 'She is happier about school since the picture timetable.');
    await page.fill('#hard', 'Homework instructions at home.');
    await page.fill('#would-help', 'A copy of the timetable for home.');
    await submit(page, 'Send my views');
    await expectText(page, who, 'views sent', 'Thank you');
    ok(who, 'answered the invitation and sent views from the email links');
  }
  await page.context().close();
}

// ---- The SENDCo reviews the plan with the parent's views, and refers ----
{
  const who = 'sendco';
  const page = sendco;
  await page.goto(pupilPage, { waitUntil: 'load' });
  await expectText(page, who, 'pupil page', 'She is happier about school since the picture timetable.', 'can come');
  await audit(page, who, 'pupil-with-views');
  await follow(page, `a[href="/pupils/${pupil}/cycles/1/review"]`);
  await expectText(page, who, 'review form', 'What the parents sent before the review', 'She is happier about school since the picture timetable.');
  await audit(page, who, 'review');
  const reviewURL = page.url();
  const fillReview = async () => {
    for (const radio of await page.locator('input[type="radio"][value="partly_achieved"]').all()) await radio.check();
    await page.fill('#parentViews', 'Mum agrees progress is slow at home.');
    await page.fill('#pupilViews', 'Amara wants more help with reading instructions.');
    await page.check('input[name="nextStep"][value="refer"]');
    return submit(page, 'Record the review');
  };
  let reviewed = await fillReview();
  if (reviewed.status() === 409) {
    // Too early: the pathway's reason is shown in place, and what was typed is kept.
    await expectText(page, who, 'review too early', 'This was not recorded', 'is not due for review');
    if (await page.inputValue('#parentViews') !== 'Mum agrees progress is slow at home.') fail(who, 'review too early: what was typed is not kept');
    await audit(page, who, 'review-too-early');
  }
  // The review date comes on the pupil's (faster) calendar, however long that takes here.
  while (reviewed.status() === 409) {
    await new Promise(res => setTimeout(res, 1000));
    await page.goto(reviewURL, { waitUntil: 'load' });
    reviewed = await fillReview();
  }
  await expectText(page, who, 'review recorded', 'The review of support plan 1 is recorded', 'Refer to a specialist service');
  await page.selectOption('#service', 'educational_psychology');
  await submit(page, 'See what the service asks for');
  await expectText(page, who, 'readiness', 'What the service asks for', 'Met');
  await audit(page, who, 'referral-readiness');
  await page.fill('#reason', 'Advice on language and attention support in class.');
  let resp = await submit(page, 'Open the referral');
  await expectStatus(resp, who, 'referral opened', 200);
  await settle(page, 'a[href^="/referrals/"]');
  await expectText(page, who, 'referral opened', 'Referral to Demoshire Educational Psychology Service', 'Readiness: what the service asks for');
  await audit(page, who, 'referral');
  await page.check('input[name="decision"][value="approve"]');
  resp = await submit(page, 'Record the decision');
  const body = await page.locator('body').innerText();
  if (resp.status() === 409) {
    // The readiness check is not met: the pathway's reason is shown in place, the form kept.
    await expectText(page, who, 'approve refused', 'This was not recorded', 'Give a reason to approve the referral anyway');
    await audit(page, who, 'referral-refused');
    await page.fill('#overrideReason', 'The family and the class teacher need specialist advice now.');
    resp = await submit(page, 'Record the decision');
  } else if (!body.includes('approved')) {
    fail(who, `approving the referral answered ${resp.status()}`);
  }
  await expectText(page, who, 'referral approved', 'The referral to Demoshire Educational Psychology Service is approved');
  await audit(page, who, 'referral-approved');
}

// ---- The parent consents from their email ----
{
  const page = await person();
  const link = await mailLink('parent.amara@example.org', 'consent', started);
  if (link) {
    await page.goto(link, { waitUntil: 'load' });
    await submit(page, 'I give consent');
    await expectText(page, 'parent', 'consent', 'You have given consent');
    ok('parent', 'gave consent from the email link');
  }
  await page.context().close();
}

// ---- The educational psychologist acknowledges the referral and gives advice ----
{
  const who = 'ep';
  const page = await person();
  await signIn(page, who, 'ep@demoshire.example');
  await expectText(page, who, 'home', 'Referrals to Demoshire Educational Psychology Service');
  await audit(page, who, 'home');
  await page.goto(new URL('/referrals', base).href, { waitUntil: 'load' });
  await expectText(page, who, 'referrals', 'Amara Okafor', 'Oakfield Primary');
  await audit(page, who, 'referrals');
  await follow(page, 'a:text("Amara Okafor")');
  await expectText(page, who, 'referral', 'Advice on language and attention support in class.', 'Given');
  await audit(page, who, 'referral');
  const pack = await page.getAttribute('a:text("The evidence pack for Demoshire Educational Psychology Service")', 'href');
  const packPage = await page.context().newPage();
  const packResp = await packPage.goto(new URL(pack, base).href, { waitUntil: 'load' });
  await expectStatus(packResp, who, 'evidence pack', 200);
  await expectText(packPage, who, 'evidence pack', 'Finds it hard to follow spoken instructions', 'Visual timetable');
  await packPage.close();
  await page.check('input[name="kind"][value="acknowledged"]');
  await submit(page, 'Send the reply');
  await expectText(page, who, 'acknowledged', 'The referral is acknowledged');
  await page.check('input[name="kind"][value="advice"]');
  await page.fill('#summary', 'Use visual supports for every instruction; check understanding by asking Amara to repeat the steps.');
  await submit(page, 'Send the reply');
  await expectText(page, who, 'advice', 'The advice is recorded');
  await audit(page, who, 'advice-given');
  // A pupil without a referral to the service is not theirs.
  const other = await page.goto(new URL('/pupils/5c0f0000-0000-4000-8000-0000000000a3', base).href, { waitUntil: 'load' });
  await expectStatus(other, who, 'a pupil not referred to them', 404);
  await page.context().close();
}

// ---- The SENDCo requests an EHC needs assessment ----
{
  const who = 'sendco';
  const page = sendco;
  await page.goto(pupilPage, { waitUntil: 'load' });
  await expectText(page, who, 'pupil page', 'Use visual supports for every instruction');
  await follow(page, `a[href="/pupils/${pupil}/ehc-request"]`);
  await audit(page, who, 'ehc-request');
  await submit(page, 'Request the assessment');
  await expectText(page, who, 'ehc requested', 'The request for an EHC needs assessment is recorded');
  await settle(page, `a[href^="/pupils/${pupil}/ehc/"]`);
  await expectText(page, who, 'ehc requested', 'EHC needs assessment', 'The decision whether to assess');
  await audit(page, who, 'ehc');
}

// ---- The council's EHC officer records the council's steps ----
{
  const who = 'la';
  const page = await person();
  await signIn(page, who, 'ehc.officer@demoshire.example');
  await expectText(page, who, 'home', 'Demoshire', 'EHC requests');
  await audit(page, who, 'home');
  await page.goto(new URL('/council/999', base).href, { waitUntil: 'load' });
  await expectText(page, who, 'council', 'The 20-week figure', 'Amara Okafor');
  await audit(page, who, 'council');
  await follow(page, `a[href^="/pupils/${pupil}/ehc/"]`);
  const ehcURL = page.url();
  for (const [step, text] of [['decision_to_assess', 'The step is recorded'], ['advice_requested', 'The step is recorded'],
    ['advice_received', 'The step is recorded'], ['draft_issued', 'The step is recorded']]) {
    await page.check(`input[name="type"][value="${step}"]`);
    await submit(page, 'Record the step');
    await expectText(page, who, step, text);
  }
  await audit(page, who, 'ehc-draft');
  // Too early for the final plan: the parents' 15 days to comment are shown in place.
  await page.check('input[name="type"][value="final_plan_issued"]');
  let resp = await submit(page, 'Record the step');
  if (resp.status() === 409) {
    await expectText(page, who, 'final plan too early', 'This was not recorded', 'to comment on the draft');
    await audit(page, who, 'final-plan-refused');
  }
  // Wait for the comment period to pass on the pupil's (faster) calendar, however long that
  // takes on this machine (the Go test's own time limit stops a run that never gets there).
  const finalPlan = 'input[name="type"][value="final_plan_issued"]';
  for (;;) {
    await page.goto(ehcURL, { waitUntil: 'load' });
    if (await page.locator(finalPlan).count() === 0) break; // an answer that came late got through
    await page.check(finalPlan);
    resp = await submit(page, 'Record the step');
    if (resp.status() === 200) break;
    await new Promise(res => setTimeout(res, 1000));
  }
  await expectText(page, who, 'final plan', 'The final EHC plan was issued,');
  await audit(page, who, 'ehc-plan-issued');
  await page.context().close();
}

// ---- The SENDCo records the plan's first annual review ----
{
  const who = 'sendco';
  const page = sendco;
  let found = false;
  // The plan's first annual review appears once the workflow has started it.
  while (!found) {
    await page.goto(pupilPage, { waitUntil: 'load' });
    found = await page.locator(`a[href="/pupils/${pupil}/annual-reviews/1"]`).count() > 0;
    if (!found) await new Promise(res => setTimeout(res, 500));
  }
  await audit(page, who, 'pupil-ehc-plan');
  const day = await today(page);
  await page.goto(new URL(`/pupils/${pupil}/annual-reviews/1`, base).href, { waitUntil: 'load' });
  await audit(page, who, 'annual-review');
  await page.check('input[name="type"][value="meeting_scheduled"]');
  await page.fill('#meetingOn', isoDate(day, 30));
  await submit(page, 'Record the step');
  await expectText(page, who, 'meeting booked', 'The step is recorded');
  for (const step of ['meeting_held', 'report_sent']) {
    await page.check(`input[name="type"][value="${step}"]`);
    await submit(page, 'Record the step');
    await expectText(page, who, step, 'The step is recorded');
  }
  await page.check('input[name="type"][value="la_decision"]');
  await page.check('input[name="decision"][value="keep"]');
  await submit(page, 'Record the step');
  await expectText(page, who, 'decision', 'The step is recorded', 'Keep the plan as it is');
  await audit(page, who, 'annual-review-done');
  await page.goto(new URL(`/pupils/${pupil}/records`, base).href, { waitUntil: 'load' });
  await expectText(page, who, 'records', 'Emails sent about Amara Okafor', 'Who opened or changed the record', 'Sam Patel');
  await audit(page, who, 'records');
  // Signing out ends the session: the pupil's page asks to sign in again.
  await submit(page, 'Sign out');
  await expectText(page, who, 'signed out', 'You have signed out');
  await audit(page, who, 'signed-out');
  await page.goto(pupilPage, { waitUntil: 'load' });
  await expectText(page, who, 'after signing out', 'Sign in to sendflow');
}

// ---- Issue 16's pages: the SEN register, the costed provision map and its catalogue, the
// pupil's own profile, moving school, the portable record (download, import, read), and the council's and trust's figures ----
{
  const school = '5c0f0000-0000-4000-8000-000000000001';
  const visit = async (page, who, step, path, ...texts) => {
    const resp = await page.goto(new URL(path, base).href, { waitUntil: 'load' });
    await expectStatus(resp, who, step, 200);
    await expectText(page, who, step, ...texts);
    await audit(page, who, step);
  };
  let who = 'sendco-16';
  let page = await person();
  await signIn(page, who, 'sendco@oakfield.example');
  await visit(page, who, 'register', '/register', 'SEN register');
  await visit(page, who, 'register-form', `/pupils/${pupil}/register`, 'Amara Okafor');
  await visit(page, who, 'provision-map', `/schools/${school}/provision`, 'Provision map');
  // The issued EHC plan's provision (section F): the record form, refused in place when nothing
  // is chosen, then a catalogue item recorded; a session logged against it, refused without a date.
  await visit(page, who, 'ehc-provision-form', `/pupils/${pupil}/ehc-provision`,
    'Record provision from the EHC plan', 'Sessions a week');
  let ehc = await submit(page, 'Record the provision');
  await expectStatus(ehc, who, 'ehc provision refused', 422);
  await expectText(page, who, 'ehc provision refused', 'There is a problem',
    "Choose the provision from the catalogue or write the plan's words");
  await audit(page, who, 'ehc-provision-error');
  await page.selectOption('select[name="itemId"]', 'talk-boost');
  await page.fill('input[name="sessionsPerWeek"]', '2');
  ehc = await submit(page, 'Record the provision');
  await expectStatus(ehc, who, 'ehc provision recorded', 200);
  await expectText(page, who, 'ehc provision recorded', 'is recorded as provision in Amara', 'Provision in the EHC plan');
  await audit(page, who, 'ehc-provision-recorded');
  await follow(page, `a[href^="/pupils/${pupil}/ehc-provision/"][href$="/session"]`);
  await expectText(page, who, 'ehc session form', 'Log a session', '2 sessions a week', 'When was it given?');
  await audit(page, who, 'ehc-session-form');
  const given = await page.inputValue('input[name="givenOn"]');
  await page.fill('input[name="givenOn"]', '');
  ehc = await submit(page, 'Log the session');
  await expectStatus(ehc, who, 'ehc session refused', 422);
  await expectText(page, who, 'ehc session refused', 'There is a problem', 'Enter the date the session was given');
  await audit(page, who, 'ehc-session-error');
  await page.fill('input[name="givenOn"]', given);
  ehc = await submit(page, 'Log the session');
  await expectStatus(ehc, who, 'ehc session logged', 200);
  await expectText(page, who, 'ehc session logged', 'Session logged', '1 session logged');
  await audit(page, who, 'ehc-session-logged');
  // Ending a piece of the plan's provision (the plan changed at annual review): the form, and an
  // empty date refused in place (nothing ends here: the journey goes on with it).
  await follow(page, `a[href^="/pupils/${pupil}/ehc-provision/"][href$="/end"]`);
  await expectText(page, who, 'ehc end form', 'End this provision', 'no longer checked for delivery');
  await audit(page, who, 'ehc-end-form');
  await page.fill('input[name="endedOn"]', '');
  ehc = await submit(page, 'End this provision');
  await expectStatus(ehc, who, 'ehc end refused', 422);
  await expectText(page, who, 'ehc end refused', 'There is a problem', 'Enter the day the plan stopped promising it');
  await audit(page, who, 'ehc-end-error');
  await visit(page, who, 'provision-catalogue', `/schools/${school}/provision/catalogue`, 'Provision catalogue');
  await visit(page, who, 'term-dates', `/schools/${school}/term-dates`, 'Term dates');
  // A closure without its first day is refused in place; the term dates stay as they were.
  await page.fill('input[name="closures[0].first"]', '');
  const closures = await submit(page, 'Save the term dates');
  await expectStatus(closures, who, 'term dates refused', 422);
  await expectText(page, who, 'term dates refused', 'There is a problem', 'first day of closure 1');
  await audit(page, who, 'term-dates-error');
  await visit(page, who, 'transfers', '/transfers', 'Moving school');
  await visit(page, who, 'passport-form', `/pupils/${pupil}/passport/edit`, 'Write the profile with');
  await page.fill('textarea[name="liked"]', 'Kind to younger children; brilliant at drawing.');
  await page.fill('textarea[name="important"]', 'Knowing what is happening next.');
  await page.fill('textarea[name="support"]', 'Show me the plan for the day; give me time to answer.');
  const saved = await submit(page, 'Save this version');
  await expectStatus(saved, who, 'passport saved', 200);
  await visit(page, who, 'passport', `/pupils/${pupil}/passport`, 'All about me', 'brilliant at drawing');

  // The portable record: Oakfield's SENDCo downloads Amara's from her page; Riverside's SENDCo
  // imports it with Oakfield's public key, errors first, and reads it.
  await visit(page, who, 'pupil-portable-record', `/pupils/${pupil}`, 'Download the portable record');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Download the portable record' }).click(),
  ]);
  const recordFile = join(outDir, download.suggestedFilename());
  await download.saveAs(recordFile);
  if (!/^sendflow-record-Okafor-Amara-.*\.zip$/.test(download.suggestedFilename())) {
    fail(who, `portable record saved as ${download.suggestedFilename()}`);
  }
  const key = await (await fetch(new URL('/.well-known/sendflow-bundle-key', base).href)).text();

  who = 'river-sendco';
  page = await person();
  await signIn(page, who, 'sendco@riverside.example');
  const river = '5c0f0000-0000-4000-8000-000000000002';
  await visit(page, who, 'transfers', '/transfers', 'Import a record from another school');
  await visit(page, who, 'import-form', `/schools/${river}/import-record`, 'Import a record from another school',
    'The record file', "The sending school's public key");
  let resp = await submit(page, 'Import the record');
  await expectStatus(resp, who, 'import without file or key', 422);
  await expectText(page, who, 'import-errors', 'There is a problem', 'Choose the file the sending school gave you',
    "Paste the sending school's public key");
  await audit(page, who, 'import-errors');
  await page.setInputFiles('#bundle', recordFile);
  await page.fill('textarea[name="publicKey"]', 'not a key');
  resp = await submit(page, 'Import the record');
  await expectStatus(resp, who, 'import with a bad key', 422);
  await expectText(page, who, 'import-bad-key', 'This is not a sendflow public key');
  await audit(page, who, 'import-bad-key');
  await page.setInputFiles('#bundle', recordFile);
  await page.fill('textarea[name="publicKey"]', key);
  resp = await submit(page, 'Import the record');
  await expectStatus(resp, who, 'imported', 200);
  await expectText(page, who, 'imported-record', 'Record from Oakfield', 'imported by Rosa Quinn on',
    'Download the record as a PDF');
  await audit(page, who, 'imported-record');
  await visit(page, who, 'imported-records', `/schools/${river}/imported-records`,
    'Records imported from other schools', 'Amara Okafor');
  // The imported pupil is on Riverside's roll in no class yet: the page says so and leads to the
  // form that puts them in one, refused in place when nothing is chosen.
  await visit(page, who, 'pupils', '/pupils', 'Amara Okafor');
  await follow(page, 'a:has-text("Amara Okafor")');
  await expectText(page, who, 'pupil without a class', 'is not in a class', 'Choose a class');
  await audit(page, who, 'pupil-no-class');
  await follow(page, 'a:has-text("Choose a class")');
  await expectText(page, who, 'class form', 'Which class is this pupil in?');
  await audit(page, who, 'class-form');
  resp = await submit(page, 'Save');
  await expectStatus(resp, who, 'no class chosen', 422);
  await expectText(page, who, 'no class chosen', 'There is a problem', 'Enter the name of the class');
  await audit(page, who, 'class-error');
  // Riverside has no classes on sendflow yet: the SENDCo names the pupil's class here.
  await page.fill('input[name="className"]', 'Kingfishers');
  resp = await submit(page, 'Save');
  await expectStatus(resp, who, 'class chosen', 200);
  await expectText(page, who, 'class chosen', 'is now in this class');
  await audit(page, who, 'class-chosen');

  who = 'council-16';
  page = await person();
  await signIn(page, who, 'ehc.officer@demoshire.example');
  await visit(page, who, 'figures', '/council/999/figures', 'EHC figures', 'England, 2024');

  who = 'trust-16';
  page = await person();
  await signIn(page, who, 'admin@oaktrust.example');
  await visit(page, who, 'trust', '/trust/5c0f0000-0000-4000-8000-0000000000f1', 'Oakfield Primary');
}

// ---- The API reference works offline ----
{
  const page = await person();
  const resp = await page.goto(new URL('/docs', base).href, { waitUntil: 'load' });
  await expectStatus(resp, 'docs', 'API reference', 200);
  await expectText(page, 'docs', 'API reference', 'sendflow API', 'Schemas');
  await audit(page, 'docs', 'reference');
}

await browser.close();
console.log(`${audited} page states audited at two widths; screenshots in ${outDir}`);
if (failures.length) {
  console.log(`${failures.length} failure(s)`);
  process.exit(1);
}
