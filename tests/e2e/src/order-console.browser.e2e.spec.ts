import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';

import { waitFor } from '@ecommerce/test-infra';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

import { call, startSystem, type RunningSystem } from './running-services';

/**
 * The order console in a real browser: Debian's Chromium driven by playwright-core (no browser is
 * downloaded: `CHROMIUM_PATH`, default /usr/bin/chromium; `.ci/run` installs it when absent). Orders
 * are placed and cancelled through the page's own forms, and every outcome must arrive on the
 * page while it stays open: a page that stops updating live (stream, script or projection broken)
 * never shows it, and the test fails at its deadline.
 *
 * Screenshots go to tests/e2e/results/order-console/, on the machine that ran the tests.
 */
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const RESULTS = join(__dirname, '..', 'results', 'order-console');
// Flags that work as root in a container: no sandbox, no GPU, and nothing that calls home.
const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const LIVE_DEADLINE_MS = 60_000;

describe('the order console in a real browser', () => {
  let system: RunningSystem;
  let browser: BrowserContext;
  let page: Page;
  let userDataDir: string;
  const sku = `CONSOLE-${randomUUID().slice(0, 8)}`;
  /** Page loads since the last `expectNoReloadFrom()`: live updates must need none. */
  let navigations = 0;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium, or set CHROMIUM_PATH`);
    }
    mkdirSync(RESULTS, { recursive: true });
    // A slowed gateway keeps each order PENDING long enough to be seen pending, then change, and to
    // be cancelled in the page while its payment is in flight. (That test once found no cancel
    // button: the page had subscribed after the order's OrderPlaced, and no section was sent until
    // the order was CONFIRMED; a page's first update now carries its current sections.)
    system = await startSystem(
      { PAYMENT_GATEWAY_LATENCY_MS: '1500', OUTBOX_STATUS_INTERVAL_MS: '1000' },
      { console: true },
    );
    expect(
      (
        await call(`${system.url('inventory')}/products/${sku}`, 'PUT', {
          name: 'Console mug',
          priceCents: 1250,
        })
      ).status,
    ).toBe(201);
    expect(
      (await call(`${system.url('inventory')}/products/${sku}/stock`, 'POST', { quantity: 20 })).status,
    ).toBe(200);
    userDataDir = mkdtempSync(join(tmpdir(), 'console-chromium-'));
    // A fresh profile for every run (playwright passes it as --user-data-dir).
    browser = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_FLAGS,
      viewport: { width: 1400, height: 1000 },
    });
    page = browser.pages()[0] ?? (await browser.newPage());
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) navigations++;
    });
  });

  afterAll(async () => {
    await browser?.close();
    await system?.stop();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  });

  const consoleUrl = (path = '/') => `${system.consoleUrl}${path}`;

  async function placeOrderInPage(customerId: string, card: 'tok_ok' | 'tok_decline'): Promise<string> {
    await page.goto(consoleUrl('/'));
    // The catalog comes from ProductUpserted events: the product is offered once the console saw it.
    await page
      .locator(`#sku option[value="${sku}"]`)
      .waitFor({ state: 'attached', timeout: LIVE_DEADLINE_MS });
    await page.getByLabel('Customer').fill(customerId);
    await page.getByLabel('Product').selectOption(sku);
    await page.getByLabel('Quantity').fill('1');
    await page.getByLabel('Card').selectOption(card);
    await Promise.all([
      page.waitForURL(/\/orders\/[0-9a-f-]{36}$/),
      page.getByRole('button', { name: 'Place order' }).click(),
    ]);
    await page.locator('#live-status', { hasText: 'Live' }).waitFor();
    navigations = 0;
    return page.url().split('/').at(-1) as string;
  }

  /** Waits, on the open page, until the order's status reads `status`, with no page load meanwhile. */
  async function expectLiveStatus(status: string): Promise<void> {
    await page.locator('#order-status', { hasText: status }).waitFor({ timeout: LIVE_DEADLINE_MS });
    expect(navigations).toBe(0);
  }

  async function timelineTypes(): Promise<string[]> {
    return page
      .locator('#timeline tbody tr')
      .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-event-type') ?? ''));
  }

  async function expectOnTimeline(types: string[]): Promise<void> {
    for (const type of types) {
      await page
        .locator(`#timeline tr[data-event-type="${type}"]`)
        .first()
        .waitFor({ timeout: LIVE_DEADLINE_MS });
    }
    expect(navigations).toBe(0);
  }

  it("when an order is placed in the page, then it reaches CONFIRMED on its timeline without a reload, with every service's events", async () => {
    await placeOrderInPage('ada', 'tok_ok');
    // Not yet settled when the page opened (the gateway takes 1.5 s): what follows came live.
    expect(await page.locator('#order-status').textContent()).not.toContain('CONFIRMED');
    await expectLiveStatus('CONFIRMED');
    await expectOnTimeline([
      'OrderPlaced',
      'StockReserved',
      'PaymentAuthorized',
      'OrderConfirmed',
      'StockCommitted',
      'NotificationSent',
    ]);
    const types = await timelineTypes();
    expect(types.indexOf('OrderPlaced')).toBeLessThan(types.indexOf('OrderConfirmed'));
    // Each step names the groups that handled it, from their committed offsets.
    await page
      .locator('#timeline tr[data-event-type="OrderPlaced"] li', { hasText: 'inventory-service: ✓ handled' })
      .waitFor({ timeout: LIVE_DEADLINE_MS });
    expect(
      await page.locator('#timeline tr[data-event-type="OrderPlaced"] code').first().textContent(),
    ).toMatch(/^[0-9a-f]{12}$/);
    expect(navigations).toBe(0);
    await page.screenshot({ path: join(RESULTS, 'confirmed-order.png'), fullPage: true });
  });

  it('when a declined card is used in the page, then the order ends CANCELLED (PAYMENT_DECLINED) with its compensation, live', async () => {
    await placeOrderInPage('alan', 'tok_decline');
    await expectLiveStatus('CANCELLED');
    expect(await page.locator('#order-status').textContent()).toContain('PAYMENT_DECLINED');
    // A declined card has no authorization to refund: the compensation is the stock's release.
    await expectOnTimeline([
      'OrderPlaced',
      'StockReserved',
      'PaymentFailed',
      'OrderCancelled',
      'StockReleased',
    ]);
    expect(await timelineTypes()).not.toContain('PaymentAuthorized');
    await page.screenshot({ path: join(RESULTS, 'declined-order.png'), fullPage: true });
  });

  it('when an order is cancelled in the page while its payment is in flight, then it ends CANCELLED (CUSTOMER_REQUEST), refunded if it was authorized', async () => {
    await placeOrderInPage('barbara', 'tok_ok');
    await expectOnTimeline(['StockReserved']);
    await Promise.all([
      page.waitForURL(/\/orders\//),
      page.getByRole('button', { name: 'Cancel this order' }).click(),
    ]);
    navigations = 0;
    await expectLiveStatus('CANCELLED');
    expect(await page.locator('#order-status').textContent()).toContain('CUSTOMER_REQUEST');
    await expectOnTimeline(['OrderCancelled', 'StockReleased']);
    // The authorization in flight lands after the cancel and is refunded; if payment-service saw the
    // cancel first, none is made. Either way no authorization stays unrefunded (SPEC 5.3).
    const settled = async () => {
      const types = await timelineTypes();
      return !types.includes('PaymentAuthorized') || types.includes('PaymentRefunded');
    };
    await waitFor('the authorization, if any, to be refunded', settled, { timeoutMs: LIVE_DEADLINE_MS });
    await page.screenshot({ path: join(RESULTS, 'cancelled-order.png'), fullPage: true });
  });

  it('when the home page is open, then orders, consumer groups and outbox samples are shown and kept current', async () => {
    await page.goto(consoleUrl('/'));
    navigations = 0;
    await page.locator('#groups tr[data-group="inventory-service"]').waitFor({ timeout: LIVE_DEADLINE_MS });
    for (const service of ['order-service', 'inventory-service', 'payment-service', 'notification-service']) {
      await page.locator(`#outboxes tr[data-service="${service}"]`).waitFor({ timeout: LIVE_DEADLINE_MS });
    }
    // A new order shows up in the open list.
    const before = await page.locator('#orders tbody tr').count();
    const placed = await call(`${system.url('order')}/orders`, 'POST', {
      customerId: 'grace',
      items: [{ sku, quantity: 1 }],
    });
    expect(placed.status).toBe(202);
    const orderId = (placed.body as { orderId: string }).orderId;
    await page.locator(`#orders tr[data-order-id="${orderId}"]`).waitFor({ timeout: LIVE_DEADLINE_MS });
    expect(await page.locator('#orders tbody tr').count()).toBe(before + 1);
    expect(navigations).toBe(0);
    await page.screenshot({ path: join(RESULTS, 'home.png'), fullPage: true });
  });
});
