import { chromiumAvailable } from '@emporium/testkit/browser';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, seriousViolations, step } from './support/browser.ts';
import { type AdminTestPlatform, startAdminPlatform } from './support/platform.ts';

// Real: the whole monolith as the server composes it (identity's provider with TOTP and passkeys,
// the dashboard), PGlite, Debian's Chromium over a real socket with Chromium's own virtual
// authenticator (CDP WebAuthn domain) standing in for a platform authenticator. The platform is
// named `localhost`: WebAuthn refuses an IP address as relying party.
describe.skipIf(!chromiumAvailable())('passkeys in a browser', () => {
  let platform: AdminTestPlatform;
  let browser: Browser;

  // Real time, plus minutes the test skips: the modules see time pass as if the test waited.
  let skipped = 0;
  const clock = { now: () => new Date(Date.now() + skipped) };

  beforeAll(async () => {
    platform = await startAdminPlatform('pglite', { host: 'localhost', clock });
    await platform.listen();
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await platform?.close();
  });

  async function check(page: Page, label: string): Promise<void> {
    const violations = await seriousViolations(page);
    expect(
      violations.map((v) => `${label} ${v.id}: ${v.help} (${JSON.stringify(v.nodes.map((n) => n.target))})`),
    ).toEqual([]);
  }

  async function passwordStep(page: Page, staff: { email: string; password: string }) {
    await page.goto(`${platform.baseUrl}/admin`);
    await expect.poll(() => new URL(page.url()).pathname).toBe('/admin/ui/sign-in');
    await page.getByRole('link', { name: 'Sign in with your staff account' }).click();
    await page.getByLabel('Email').fill(staff.email);
    await page.getByLabel('Password').fill(staff.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  it('a staff member signs in with TOTP, adds a passkey, signs out, signs in again with password and passkey, must sign in again to remove it six minutes later, then changes their email', async () => {
    const staff = await platform.createStaff('keys@example.com', ['support']);
    const context = await browser.newContext();
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    const cspErrors: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text()))
        cspErrors.push(`${page.url()}: ${m.text().slice(0, 120)}`);
    });
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
      },
    });

    await step(page, 'passkey: sign in with TOTP', async () => {
      await passwordStep(page, staff);
      // No passkey yet: the second-factor page offers only the code.
      expect(await page.getByRole('button', { name: 'Use a passkey' }).count()).toBe(0);
      await page.getByLabel('Authentication code').fill(await staff.totp());
      await page.getByRole('button', { name: 'Verify' }).click();
      await page.waitForURL(`${platform.baseUrl}/admin`);
    });

    await step(page, 'passkey: add one on the account page', async () => {
      await page.getByRole('link', { name: 'Your account and passkeys' }).click();
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Your account');
      expect(await page.getByText('You have no passkeys yet.').count()).toBe(1);
      await check(page, 'account');
      await page.getByLabel('Name of the passkey').fill('Test laptop');
      await page.getByRole('button', { name: 'Add a passkey' }).click();
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Create your passkey');
      await check(page, 'create passkey');
      await page.getByRole('button', { name: 'Create the passkey' }).click();
      await page.waitForURL(`${platform.baseUrl}/admin/ui/account`);
      expect(await page.getByRole('status').first().textContent()).toContain('Passkey “Test laptop” added');
      expect(await page.getByRole('cell', { name: 'Test laptop', exact: true }).count()).toBe(1);
      await check(page, 'account with a passkey');
      const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
      expect(credentials).toHaveLength(1);
      expect(credentials[0]?.rpId).toBe('localhost');
    });

    await step(page, 'passkey: sign out', async () => {
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.goto(`${platform.baseUrl}/admin/ui/account`);
      expect(new URL(page.url()).pathname).toBe('/admin/ui/sign-in');
    });

    await step(page, 'passkey: sign in with password and passkey', async () => {
      await passwordStep(page, staff);
      const use = page.getByRole('button', { name: 'Use a passkey' });
      await use.waitFor();
      await check(page, 'provider second factor with a passkey');
      await use.click();
      await page.waitForURL(`${platform.baseUrl}/admin`);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Overview');
    });

    await step(page, 'passkey: used and audited', async () => {
      await page.goto(`${platform.baseUrl}/admin/ui/account`);
      const row = page.getByRole('row').filter({ hasText: 'Test laptop' });
      expect(await row.getByRole('cell').nth(2).textContent()).not.toBe('never');
      const audit = await platform.identity.audit.list({ limit: 50 });
      const actions = audit.data.map((r) => `${r.action} ${r.outcome}`);
      expect(actions).toContain('POST /auth/interaction/:uid/passkey success');
      expect(actions).toContain('POST /admin/me/passkeys success');
    });

    await step(page, 'passkey: removing it six minutes later asks to sign in again', async () => {
      skipped = 6 * 60_000;
      await page.getByRole('button', { name: 'Remove passkey Test laptop' }).click();
      // The API answered reauthentication_required: the provider asks for the password again.
      await page.getByLabel('Password').waitFor();
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Staff sign in');
      expect(await page.getByRole('cell', { name: 'Test laptop', exact: true }).count()).toBe(0);
      await page.getByLabel('Email').fill(staff.email);
      await page.getByLabel('Password').fill(staff.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('button', { name: 'Use a passkey' }).click();
      await page.waitForURL(`${platform.baseUrl}/admin/ui/account?confirmed=1`);
      expect(await page.getByRole('status').first().textContent()).toContain('for the next 5 minutes');
      expect(await page.getByRole('cell', { name: 'Test laptop', exact: true }).count()).toBe(1);
      await check(page, 'account after signing in again');
      await page.getByRole('button', { name: 'Remove passkey Test laptop' }).click();
      await page.waitForURL(`${platform.baseUrl}/admin/ui/account`);
      expect(await page.getByRole('status').first().textContent()).toContain('Passkey removed.');
      expect(await page.getByText('You have no passkeys yet.').count()).toBe(1);
      // Still within the 5 minutes of that sign-in: the email changes, and the frame shows it.
      await page.getByLabel('New email').fill('keys-renamed@example.com');
      await page.getByRole('button', { name: 'Change email' }).click();
      await page.waitForURL(`${platform.baseUrl}/admin/ui/account`);
      expect(await page.getByRole('status').first().textContent()).toContain(
        'You now sign in with keys-renamed@example.com',
      );
      expect(await page.locator('.who').textContent()).toContain('keys-renamed@example.com');
      expect(
        (await platform.identity.staff.passwordLogin('keys-renamed@example.com', staff.password)).outcome,
      ).toBe('ok');
      const removals = await platform.identity.audit.list({
        limit: 5,
        action: 'DELETE /admin/me/passkeys/:id',
      });
      expect(removals.data.map((r) => `${r.outcome} ${r.status}`)).toEqual(['success 204', 'denied 403']);
    });

    expect(cspErrors).toEqual([]);
    await context.close();
  }, 180_000);
});
