// Security keys and passkeys, the consent page, password recovery and an
// administrator's registration link, in a real browser with virtual WebAuthn
// authenticators (CDP): the enrolment page without JavaScript; a passkey
// enrolled at first sign-in and signed in with; a security key added on the
// devices page and signed in with, after an authenticator that holds no
// credential and an answer without user presence were refused; the
// authorization-code grant's consent page; forgot → mail → reset → sign-in;
// a key registered through the link. TestPortalBrowserKeys
// (internal/e2e/browser_test.go) runs it, checks each checkpoint against
// the server and says "ok" (see harness.mjs).
//
// Input (environment): IIC_URL (the server, http://localhost:<port>),
// IIC_USER and IIC_PASSWORD (a user without a device: passkey, key,
// consent, reset), IIC_NOJS_USER and IIC_NOJS_PASSWORD (a user without a
// device: the page without JavaScript), IIC_NEW_PASSWORD (the reset's),
// IIC_AUTHORIZE_PATH (a consent-page request), IIC_REDIRECT_HOST (its
// redirect URI's host:port), IIC_REGISTER_LINK (a registration link of a
// third user), IIC_SCREENSHOTS (optional).
import { checkpoint, env, run, screenshot, securityKey, webauthn, withoutScript } from './harness.mjs';

const base = env('IIC_URL');
const user = env('IIC_USER');
const password = env('IIC_PASSWORD');
const newPassword = env('IIC_NEW_PASSWORD');
const redirectHost = env('IIC_REDIRECT_HOST');

const shown = [[base, 'https://iic.example.com'], [new URL(base).host, 'iic.example.com'], [redirectHost, '127.0.0.1:8400']];
const shot = (page, name) => screenshot(page, name, shown);

async function heading(page, want) {
  const h1 = page.getByRole('heading', { level: 1 });
  await h1.filter({ hasText: want }).waitFor();
  return (await h1.innerText()).trim();
}

const text = async (locator) => (await locator.innerText()).trim();

async function signIn(page, name, pw) {
  await page.goto(base + '/start');
  await heading(page, 'Sign in');
  await page.getByLabel('User name').fill(name);
  await page.getByLabel('Password').fill(pw);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function signOut(page) {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(/\/start\?signed_out=1$/);
}

// The credentials an authenticator holds, and its removal.
const held = async (a) => (await a.cdp.send('WebAuthn.getCredentials', { authenticatorId: a.authenticatorId })).credentials;
async function remove(a) {
  await a.cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId: a.authenticatorId });
  await a.cdp.detach();
}

await run(async (page) => {
  // Without JavaScript the enrolment page says a key needs it and offers
  // the authenticator app, whose form works without it.
  await checkpoint('nojs', await withoutScript(async (nojs) => {
    await signIn(nojs, env('IIC_NOJS_USER'), env('IIC_NOJS_PASSWORD'));
    await nojs.waitForURL(base + '/start/signin/enrol');
    await heading(nojs, 'Add a security key or passkey');
    const nojsText = await text(nojs.locator('#webauthn-nojs'));
    const startHidden = await nojs.locator('#webauthn-start').isHidden();
    await nojs.locator('#webauthn-use-totp').click();
    return { nojsText, startHidden, then: await heading(nojs, 'Set up your authenticator app') };
  }));

  // A passkey (platform authenticator, resident key) at first sign-in.
  const passkey = await webauthn(page);
  await signIn(page, user, password);
  await page.waitForURL(base + '/start/signin/enrol');
  await heading(page, 'Add a security key or passkey');
  await page.locator('#webauthn-name').fill('Laptop');
  await page.locator('#webauthn-start').click();
  await page.waitForURL(base + '/start');
  let creds = await held(passkey);
  await checkpoint('passkey-enrolled', { stored: creds.length, resident: creds[0]?.isResidentCredential, who: await text(page.locator('header .who')) });
  await signOut(page);
  await signIn(page, user, password);
  await page.waitForURL(base + '/start/signin/mfa');
  await heading(page, 'Use your security key or passkey');
  await page.locator('#webauthn-start').click();
  await page.waitForURL(base + '/start');
  creds = await held(passkey);
  await checkpoint('passkey-signin', { signCount: creds[0]?.signCount, who: await text(page.locator('header .who')) });

  // A security key (USB, no resident key) added on the devices page.
  await remove(passkey);
  let key = await webauthn(page, securityKey);
  await page.getByRole('link', { name: 'MFA devices' }).click();
  await heading(page, 'Your MFA devices');
  await page.locator('#webauthn-add').click();
  await heading(page, 'Add a security key or passkey');
  await page.locator('#webauthn-name').fill('Blue key');
  await shot(page, 'webauthn-add');
  await page.locator('#webauthn-start').click();
  await page.waitForURL(base + '/start/mfa?added=1');
  const devices = await page.locator('table.list tbody tr').evaluateAll(
    (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].slice(0, 2).map((td) => td.innerText.trim())));
  creds = await held(key);
  await checkpoint('key-added', { devices, stored: creds.length, resident: creds[0]?.isResidentCredential, notice: await text(page.getByRole('status')) });

  // Signed out and in again: the key step.
  await signOut(page);
  await signIn(page, user, password);
  await page.waitForURL(base + '/start/signin/mfa');
  await heading(page, 'Use your security key or passkey');
  await shot(page, 'signin-webauthn');

  // An authenticator that holds no registered credential: the browser
  // refuses, the page says so and stays usable.
  const [saved] = await held(key);
  await remove(key);
  const empty = await webauthn(page, securityKey);
  await page.locator('#webauthn-start').click();
  const browserError = page.locator('#webauthn-error');
  await browserError.waitFor({ state: 'visible' });
  await checkpoint('browser-refused', { url: page.url(), refusal: await text(browserError), startEnabled: await page.locator('#webauthn-start').isEnabled() });
  await remove(empty);

  // The key again, answering without user presence: the server refuses.
  key = await webauthn(page, securityKey);
  await key.cdp.send('WebAuthn.addCredential', { authenticatorId: key.authenticatorId, credential: saved });
  await key.cdp.send('WebAuthn.setResponseOverrideBits', { authenticatorId: key.authenticatorId, isBadUP: true });
  await page.locator('#webauthn-start').click();
  await page.waitForURL(base + '/start/signin/webauthn');
  const alert = await text(page.getByRole('alert').first());
  await checkpoint('server-refused', { url: page.url(), alert, start: await page.locator('#webauthn-start').isVisible() });

  // With presence: signed in.
  await key.cdp.send('WebAuthn.setResponseOverrideBits', { authenticatorId: key.authenticatorId, isBadUP: false });
  await page.locator('#webauthn-start').click();
  await page.waitForURL(base + '/start');
  creds = await held(key);
  await checkpoint('key-signin', { signCount: creds[0]?.signCount, who: await text(page.locator('header .who')) });

  // The authorization-code grant's consent page: Allow goes back to the
  // application's loopback redirect URI with the code.
  await page.goto(base + env('IIC_AUTHORIZE_PATH'));
  const question = await heading(page, 'Allow');
  await shot(page, 'consent');
  await page.getByRole('button', { name: 'Allow' }).click();
  await page.waitForURL((u) => u.host === redirectHost);
  await checkpoint('authorized', { url: page.url(), body: await text(page.locator('body')), question });

  // A forgotten password: the link from the sign-in form, the mail, the
  // reset page, then a sign-in with the new password (and the key).
  await page.goto(base + '/start');
  await signOut(page);
  await page.getByRole('link', { name: 'Forgot password?' }).click();
  await heading(page, 'Forgot your password?');
  await page.getByLabel('User name').fill(user);
  await shot(page, 'forgot');
  await page.getByRole('button', { name: 'Send the link' }).click();
  const { link } = await checkpoint('forgot-sent', { notice: await text(page.getByRole('status')) });
  await page.goto(link);
  await heading(page, 'Choose a new password');
  await page.getByLabel('New password', { exact: true }).fill(newPassword);
  await page.getByLabel('Confirm the new password').fill(newPassword);
  await page.getByRole('button', { name: 'Set password' }).click();
  const changed = await heading(page, 'Your password was changed');
  await signIn(page, user, newPassword);
  await page.waitForURL(base + '/start/signin/mfa');
  await page.locator('#webauthn-start').click();
  await page.waitForURL(base + '/start');
  await checkpoint('reset-signin', { changed, who: await text(page.locator('header .who')) });

  // An administrator's registration link: a security key, no sign-in.
  await signOut(page);
  await remove(key);
  const linkKey = await webauthn(page, securityKey);
  await page.goto(env('IIC_REGISTER_LINK'));
  await heading(page, 'Add a security key or passkey');
  await page.locator('#webauthn-name').fill('Erin key');
  await page.locator('#webauthn-start').click();
  const registered = await heading(page, 'Your MFA device is registered');
  await checkpoint('link-registered', { registered, stored: (await held(linkKey)).length });
});
