// The web portal in a real browser, as a person uses it: a refused
// sign-in, password and TOTP, the accounts, a permission set, credentials
// (and their copy buttons), the MFA devices, the device-verification page,
// sign-out; then a self-check of the virtual WebAuthn authenticator.
// TestPortalBrowser (internal/e2e/browser_test.go) runs it, checks each
// checkpoint against the server, and says "ok" (see harness.mjs).
//
// Input (environment): IIC_URL (the server), IIC_USER, IIC_PASSWORD,
// IIC_TOTP_SECRET (base32), IIC_ACCOUNT_ID and IIC_PERMISSION_SET (where to
// get credentials), IIC_VERIFICATION_URI and IIC_USER_CODE (a pending
// device authorization), IIC_SCREENSHOTS (optional: where the README's
// screenshots go).
import { checkpoint, env, run, screenshot, totp, webauthnSelfCheck } from './harness.mjs';

const base = env('IIC_URL');
const user = env('IIC_USER');
const password = env('IIC_PASSWORD');
const secret = env('IIC_TOTP_SECRET');
const accountID = env('IIC_ACCOUNT_ID');
const permissionSet = env('IIC_PERMISSION_SET');
const verificationURI = env('IIC_VERIFICATION_URI');
const userCode = env('IIC_USER_CODE');

// Volatile values in the screenshots and the fixed examples shown instead.
const shown = [[base, 'https://iic.example.com'], [new URL(base).host, 'iic.example.com'], [userCode, 'WDJB-MJHT']];
const shot = (page, name) => screenshot(page, name, shown);

// lookalike is a fixed stand-in of the same length and alphabet as value
// (hex, digits and capitals, or letters and digits; other characters
// kept), the n-th of its kind: the same on every run.
function lookalike(value, n) {
  const alphabet = /^[0-9a-f]+$/.test(value) ? '0123456789abcdef'
    : /^[0-9A-Z]+$/.test(value) ? '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'
      : 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let x = 2166136261 ^ n;
  return value.replace(/[0-9A-Za-z]/g, () => {
    x = Math.imul(x ^ (x >>> 15), 2246822507) + 1013904223 >>> 0;
    return alphabet[x % alphabet.length];
  });
}

const rows = (page) => page.locator('table.list tbody tr').evaluateAll(
  (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.innerText.trim())));

const alertText = async (page) => (await page.getByRole('alert').innerText()).trim();

async function heading(page, want) {
  const h1 = page.getByRole('heading', { level: 1 });
  await h1.filter({ hasText: want }).waitFor();
  return (await h1.innerText()).trim();
}

await run(async (page, context) => {
  // A wrong password: the page says so and stays the sign-in form.
  await page.goto(base + '/start');
  await heading(page, 'Sign in');
  await shot(page, 'signin');
  await page.getByLabel('User name').fill(user);
  await page.getByLabel('Password').fill(password + '-wrong');
  await page.getByRole('button', { name: 'Sign in' }).click();
  const refused = await alertText(page);
  await shot(page, 'signin-error');
  await checkpoint('refused', { url: page.url(), alert: refused, userName: await page.getByLabel('User name').inputValue() });

  // Password, then a code from the authenticator app.
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(base + '/start/signin/mfa');
  await heading(page, 'Multi-factor authentication');
  await shot(page, 'signin-mfa');
  await page.getByLabel('MFA code').fill(totp(secret));
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.waitForURL(base + '/start');
  await heading(page, 'Your accounts');
  const accounts = await rows(page);
  accounts.forEach(([, id], i) => shown.push([id, lookalike(id, i)]));
  await shot(page, 'accounts');
  await checkpoint('accounts', { accounts, who: (await page.locator('header .who').innerText()).trim() });

  // An account's permission sets, then credentials for one.
  await page.locator(`a[href="/start/accounts/${accountID}"]`).click();
  await heading(page, 'Permission sets in');
  const permissionSets = await rows(page);
  await checkpoint('account', { url: page.url(), permissionSets });
  await page.getByRole('button', { name: `Get credentials for ${permissionSet}` }).click();
  await heading(page, 'Temporary credentials');
  const creds = {};
  for (const id of ['ak', 'sk', 'tok']) {
    creds[id] = (await page.locator('#' + id).innerText()).trim();
    shown.push([creds[id], lookalike(creds[id], 100 + shown.length)]);
  }
  await shot(page, 'credentials');
  // The copy buttons (hidden without the script) put the value on the
  // clipboard, and say so.
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(base).origin });
  const copied = {};
  for (const id of ['ak', 'sk', 'tok']) {
    const button = page.locator(`button[data-copy="${id}"]`);
    await button.click();
    await button.filter({ hasText: 'Copied' }).waitFor();
    copied[id] = await page.evaluate(() => navigator.clipboard.readText());
  }
  const lead = (await page.locator('p.lead').innerText()).trim();
  await checkpoint('credentials', { ...creds, copied, lead });

  // The MFA devices.
  await page.getByRole('link', { name: 'MFA devices' }).click();
  await heading(page, 'Your MFA devices');
  const devices = await rows(page);
  await shot(page, 'mfa-devices');
  await checkpoint('mfa-devices', { devices });

  // The device grant: the code typed by hand on the verification page,
  // checked, allowed.
  await page.goto(verificationURI);
  await heading(page, 'Authorize a device');
  await page.getByLabel('Code').fill(userCode.toLowerCase());
  await page.getByRole('button', { name: 'Continue' }).click();
  const question = await heading(page, 'Allow');
  const shownCode = (await page.locator('.usercode').innerText()).trim();
  await shot(page, 'device');
  await page.getByRole('button', { name: 'Allow' }).click();
  const decided = await heading(page, 'Device authorized');
  await checkpoint('device', { question, shownCode, decided });

  // Sign-out, back at the sign-in form.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(/\/start\?signed_out=1$/);
  await heading(page, 'Sign in');
  const notice = (await page.getByRole('status').innerText()).trim();
  await page.goto(base + '/start/mfa');
  await checkpoint('signed-out', { notice, afterwards: page.url() });

  // The virtual authenticator the WebAuthn flows will use.
  const origin = base.replace('://127.0.0.1:', '://localhost:');
  await checkpoint('webauthn', await webauthnSelfCheck(page, origin));
});
