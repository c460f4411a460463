// What every browser flow of the portal needs: the system's Chromium
// (no browser download), checkpoints with the Go test that runs the
// script, TOTP codes, screenshots and a virtual WebAuthn authenticator.
//
// Protocol with the Go test (internal/e2e/browser_test.go): the script
// writes one JSON object per line on stdout, {"step": name, ...}. After a
// checkpoint it waits for one line on stdin: "ok" to go on, or "ok "
// followed by a JSON value the test hands to the script (checkpoint
// returns it); anything else (or end of input) stops it. A failure is the
// line {"error": message, "url": the page's URL, "text": the start of its
// text} and exit status 1.
import { createHmac } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

import { chromium } from 'playwright-core';

// The flags keep Chromium off the network (the machine has none but
// loopback) and away from first-run work.
const chromiumArgs = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export const viewport = { width: 1280, height: 800 };

// env is the named environment variable; a missing one is a failure.
export function env(name) {
  const v = process.env[name];
  if (v === undefined || v === '') {
    throw new Error(`environment variable ${name} is not set`);
  }
  return v;
}

// launch starts Chromium (IIC_CHROMIUM, default /usr/bin/chromium) with a
// fresh profile, removed by close().
export async function launch() {
  const profile = mkdtempSync(join(tmpdir(), 'iic-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.IIC_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: chromiumArgs,
    viewport,
    deviceScaleFactor: 1,
    locale: 'en-US',
    timezoneId: 'UTC',
    colorScheme: 'light',
    reducedMotion: 'reduce',
  });
  context.setDefaultTimeout(10_000);
  // The browser's console (CSP violations among it) goes to stderr, which
  // the Go test shows when a step fails.
  context.on('console', (m) => process.stderr.write(`console ${m.type()}: ${m.text()}\n`));
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

// withoutScript runs fn(page) in another Chromium whose context has
// JavaScript turned off (no cookies shared with the main one), and closes
// it afterwards.
export async function withoutScript(fn) {
  const browser = await chromium.launch({
    executablePath: process.env.IIC_CHROMIUM || '/usr/bin/chromium', headless: true, args: chromiumArgs,
  });
  try {
    const context = await browser.newContext({ javaScriptEnabled: false, viewport, locale: 'en-US', timezoneId: 'UTC' });
    context.setDefaultTimeout(10_000);
    return await fn(await context.newPage());
  } finally {
    await browser.close();
  }
}

let input, lines;
// checkpoint reports a step to the Go test and waits for its "ok"; it
// returns the value the test sent with it (undefined for a bare "ok").
export async function checkpoint(step, data = {}) {
  emit({ step, ...data });
  input ??= createInterface({ input: process.stdin });
  lines ??= input[Symbol.asyncIterator]();
  const { value, done } = await lines.next();
  const answer = done ? '' : value.trim();
  if (answer === 'ok') return undefined;
  if (answer.startsWith('ok ')) return JSON.parse(answer.slice(3));
  throw new Error(`the test stopped the script after ${step}: ${done ? 'end of input' : value}`);
}

// emit reports a step without waiting.
export function emit(obj) {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

// run runs main(page) in a fresh browser; a failure is reported with the
// page it happened on.
export async function run(main) {
  const b = await launch();
  try {
    await main(b.page, b.context);
  } catch (err) {
    let text = '';
    try {
      text = (await b.page.locator('body').innerText({ timeout: 1000 })).slice(0, 2000);
    } catch {
      // the page is gone: the error says enough
    }
    emit({ error: String(err?.stack || err), url: b.page.url(), text });
    process.exitCode = 1;
  } finally {
    input?.close();
    await b.close();
  }
}

// totp is the RFC 6238 code (SHA-1, 6 digits, 30 s) of the base32 secret for
// the time step after the current one. The server accepts ±1 step, and
// each code once per device, later steps only: the next step's code is
// accepted for at least 60 s and is never one the server saw already
// (a device registered just now used the current step).
export function totp(secret, now = Date.now()) {
  const step = Math.floor(now / 1000 / 30) + 1;
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', base32(secret)).update(counter).digest();
  const off = mac[mac.length - 1] & 0x0f;
  const n = (mac.readUInt32BE(off) & 0x7fffffff) % 1_000_000;
  return String(n).padStart(6, '0');
}

function base32(s) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0, value = 0;
  const out = [];
  for (const ch of s.replace(/=+$/, '').toUpperCase()) {
    const i = alphabet.indexOf(ch);
    if (i < 0) throw new Error(`not base32: ${ch}`);
    value = (value << 5) | i;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

// screenshot writes <IIC_SCREENSHOTS>/<name>.png (the viewport, 1280x800)
// when IIC_SCREENSHOTS is set. For the shot, every text on the page that
// is one of the run's volatile values (ids, keys, codes, times, the
// server's address: replace, [actual, shown] pairs; dates) shows a fixed
// example instead, so the files change only when the pages do; the focus
// and the pointer leave the page's controls. The texts are restored
// afterwards: the page works on as before.
export async function screenshot(page, name, replace = []) {
  const dir = process.env.IIC_SCREENSHOTS;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  await page.mouse.move(0, viewport.height - 1); // no hover effect in the picture
  await page.evaluate((pairs) => {
    const date = /\b\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC\b/g;
    const fix = (s) => {
      for (const [actual, shown] of pairs) s = s.split(actual).join(shown);
      return s.replace(date, '2026-01-15 09:30 UTC');
    };
    const saved = [];
    const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
      saved.push([n, 'nodeValue', n.nodeValue]);
      n.nodeValue = fix(n.nodeValue);
    }
    for (const input of document.querySelectorAll('input:not([type=hidden])')) {
      saved.push([input, 'value', input.value]);
      input.value = fix(input.value);
    }
    window.__iicRestore = () => {
      for (const [node, key, value] of saved) node[key] = value;
    };
    document.activeElement?.blur?.();
    // Lay the page out afresh: a layout updated in place after the texts
    // changed differs by a subpixel from run to run.
    document.body.style.display = 'none';
    void document.body.offsetHeight;
    document.body.style.display = '';
  }, replace.filter(([actual]) => actual));
  await page.screenshot({ path: join(dir, `${name}.png`), animations: 'disabled', caret: 'hide' });
  await page.evaluate(() => {
    window.__iicRestore();
    delete window.__iicRestore;
  });
}

// webauthn adds a virtual authenticator to the page through the Chrome
// DevTools Protocol; navigator.credentials.create and .get then answer
// without a person. By default it is a platform authenticator (CTAP2,
// resident keys, user verification that succeeds): what makes a passkey;
// options override the CDP VirtualAuthenticatorOptions (securityKey is a
// USB key without resident keys or user verification). It returns the CDP
// session and the authenticator's id.
export async function webauthn(page, options = {}) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2', transport: 'internal', hasResidentKey: true,
      hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true,
      ...options,
    },
  });
  return { cdp, authenticatorId };
}

export const securityKey = { transport: 'usb', hasResidentKey: false, hasUserVerification: false, isUserVerified: false };

// webauthnSelfCheck proves the virtual authenticator works in this
// Chromium: on a page of the origin (WebAuthn needs a secure context and a
// domain for the relying party: http://localhost qualifies, an IP address
// does not), it registers a credential and signs in with it, then lists
// what the authenticator holds.
export async function webauthnSelfCheck(page, origin) {
  const { cdp, authenticatorId } = await webauthn(page);
  await page.goto(origin + '/start');
  const result = await page.evaluate(async () => {
    const rpId = location.hostname;
    const random = (n) => crypto.getRandomValues(new Uint8Array(n));
    const created = await navigator.credentials.create({
      publicKey: {
        rp: { id: rpId, name: 'iic self-check' },
        user: { id: random(16), name: 'self-check', displayName: 'Self check' },
        challenge: random(32),
        pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
        authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
      },
    });
    const got = await navigator.credentials.get({
      publicKey: { rpId, challenge: random(32), userVerification: 'required' },
    });
    return { created: created.id, type: created.type, asserted: got.id, rpId };
  });
  const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
  await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId });
  await cdp.detach();
  return { ...result, stored: credentials.length };
}
