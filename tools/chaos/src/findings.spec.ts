import type { SystemSnapshot } from '@ecommerce/system-runner';

import {
  doubleCharges,
  doubleMails,
  doubleReservations,
  lostMails,
  lostOrders,
  mailTemplate,
  summarizeOrders,
  total,
  type ReservationRow,
} from './findings';
import type { ClientOrder } from './order-load';
import type { ReceivedMail } from './recording-smtp-server';

type Order = SystemSnapshot['orders'][number];

const order = (orderId: string, status: Order['status'], extra: Partial<Order> = {}): Order => ({
  orderId,
  customerId: `customer-of-${orderId}`,
  status,
  totalCents: 1000,
  items: [{ sku: 'MUG', quantity: 2 }],
  ...extra,
});

const mail = (orderId: string, subject: string, messageId?: string): ReceivedMail => ({
  orderId,
  subject,
  messageId,
  receivedAt: new Date(0),
  answeredAfterMs: 0,
});

const client = (
  customerId: string,
  kind: ClientOrder['kind'],
  orderId?: string,
  sentAt = 1_000_000,
): ClientOrder => ({
  kind,
  customerId,
  idempotencyKey: `key-${customerId}`,
  attempts: 1,
  outcome: orderId ? 'accepted' : 'refused',
  ...(orderId && { orderId }),
  sentAt,
});

describe('counting what a chaos run lost or applied twice', () => {
  it("when a subject is one of notification-service's templates, then the mail is of that template", () => {
    expect(mailTemplate('We received your order o-1')).toBe('order-received');
    expect(mailTemplate('Your order o-1 is confirmed')).toBe('order-confirmed');
    expect(mailTemplate('Your order o-1 was cancelled')).toBe('order-cancelled');
    expect(mailTemplate('Hello')).toBe('subject "Hello"');
  });

  it('when each (order, template) was mailed once, then there is no double mail', () => {
    const mails = [
      mail('o-1', 'We received your order o-1', '<a@x>'),
      mail('o-1', 'Your order o-1 is confirmed', '<b@x>'),
      mail('o-2', 'We received your order o-2', '<c@x>'),
    ];
    expect(doubleMails(mails)).toEqual([]);
  });

  it('when an (order, template) was mailed three times with distinct Message-IDs, then two mails are double', () => {
    const mails = ['<a@x>', '<b@x>', '<c@x>'].map((id) => mail('o-1', 'Your order o-1 is confirmed', id));
    const doubles = doubleMails(mails);
    expect(total(doubles)).toBe(2);
    expect(doubles[0]?.what).toContain('order o-1: order-confirmed');
  });

  it('when the same Message-ID arrived twice, then it is one message delivered again, not a double mail', () => {
    const mails = [
      mail('o-1', 'Your order o-1 is confirmed', '<a@x>'),
      mail('o-1', 'Your order o-1 is confirmed', '<a@x>'),
    ];
    expect(doubleMails(mails)).toEqual([]);
  });

  it('when two mails of one (order, template) carry no Message-ID, then each counts on its own', () => {
    const mails = [mail('o-1', 'Your order o-1 is confirmed'), mail('o-1', 'Your order o-1 is confirmed')];
    expect(total(doubleMails(mails))).toBe(1);
  });

  it('when a notification is recorded sent but its mail never arrived, then one mail is lost', () => {
    const notifications = new Map([
      [
        'o-1',
        [
          { template: 'order-received', status: 'sent' },
          { template: 'order-confirmed', status: 'sent' },
        ],
      ],
      ['o-2', [{ template: 'order-received', status: 'logged' }]],
    ]);
    const lost = lostMails(notifications, [mail('o-1', 'We received your order o-1', '<a@x>')]);
    expect(lost).toEqual([{ count: 1, what: expect.stringContaining('order-confirmed of order o-1') }]);
  });

  it('when an order was authorized twice, or a cancelled one keeps its authorization, then those are double charges', () => {
    const orders = [order('o-1', 'CONFIRMED'), order('o-2', 'CANCELLED'), order('o-3', 'CANCELLED')];
    const payments = new Map([
      [
        'o-1',
        [
          { status: 'AUTHORIZED' as const, amountCents: 1000 },
          { status: 'REFUNDED' as const, amountCents: 1000 },
        ],
      ],
      ['o-2', [{ status: 'AUTHORIZED' as const, amountCents: 1000 }]],
      [
        'o-3',
        [
          { status: 'REFUNDED' as const, amountCents: 1000 },
          { status: 'FAILED' as const, amountCents: 1000 },
        ],
      ],
    ]);
    const findings = doubleCharges(orders, payments);
    expect(findings.map((f) => f.what)).toEqual([
      '2 charges for order o-1',
      'an authorization kept by CANCELLED order o-2',
    ]);
    expect(total(findings)).toBe(2);
  });

  it('when a cancelled order still holds stock, or an order holds more than it ordered, then those are double reservations', () => {
    const orders = [
      order('o-1', 'CONFIRMED'),
      order('o-2', 'CANCELLED'),
      order('o-3', 'CANCELLED'),
      order('o-4', 'PENDING'),
    ];
    const rows: ReservationRow[] = [
      { orderId: 'o-1', sku: 'MUG', quantity: 2, status: 'COMMITTED' },
      { orderId: 'o-2', sku: 'MUG', quantity: 2, status: 'RESERVED' },
      { orderId: 'o-3', sku: 'MUG', quantity: 2, status: 'RELEASED' },
      { orderId: 'o-4', sku: 'MUG', quantity: 4, status: 'RESERVED' },
    ];
    expect(doubleReservations(orders, rows).map((f) => f.what)).toEqual([
      'CANCELLED order o-2 holds 2 MUG RESERVED',
      'order o-4 holds 4 MUG, ordered 2',
    ]);
  });

  it('when an accepted order is missing from the order service, then it is lost; a refused request is not', () => {
    const clients = [client('c-1', 'happy', 'o-1'), client('c-2', 'happy', 'o-2'), client('c-3', 'declined')];
    expect(total(lostOrders(clients, [order('o-1', 'CONFIRMED')]))).toBe(1);
  });

  it('when orders ended TIMEOUT, then the summary counts them, their share, those of happy-path customers, and when each was sent', () => {
    const orders = [
      order('o-1', 'CONFIRMED', { customerId: 'c-1' }),
      order('o-2', 'CANCELLED', { customerId: 'c-2', cancelReason: 'TIMEOUT' }),
      order('o-3', 'CANCELLED', { customerId: 'c-3', cancelReason: 'TIMEOUT' }),
      order('o-4', 'CANCELLED', { customerId: 'c-4', cancelReason: 'PAYMENT_DECLINED' }),
    ];
    const clients = [
      client('c-1', 'happy', 'o-1'),
      client('c-2', 'happy', 'o-2', 1_042_250),
      client('c-3', 'declined', 'o-3', 1_007_000),
      client('c-4', 'declined', 'o-4'),
    ];
    expect(summarizeOrders(orders, clients, 1_000_000)).toEqual({
      placed: 4,
      confirmed: 1,
      cancelled: 3,
      pending: 0,
      byReason: { TIMEOUT: 2, PAYMENT_DECLINED: 1 },
      timedOut: { count: 2, whileSagaStopped: 0, share: 0.5, happyPath: 1, sentAtSeconds: [7, 42.3] },
    });
  });

  it('when a TIMEOUT order was in flight while the whole saga was stopped, then it is counted apart and not in the judged share', () => {
    const orders = [
      order('o-1', 'CANCELLED', { customerId: 'c-1', cancelReason: 'TIMEOUT' }),
      order('o-2', 'CANCELLED', { customerId: 'c-2', cancelReason: 'TIMEOUT' }),
      order('o-3', 'CONFIRMED', { customerId: 'c-3' }),
      order('o-4', 'CONFIRMED', { customerId: 'c-4' }),
    ];
    const clients = [
      client('c-1', 'happy', 'o-1'),
      client('c-2', 'happy', 'o-2'),
      client('c-3', 'happy', 'o-3'),
      client('c-4', 'happy', 'o-4'),
    ];
    expect(summarizeOrders(orders, clients, 1_000_000, new Set(['c-2', 'c-3'])).timedOut).toMatchObject({
      count: 2,
      whileSagaStopped: 1,
      share: 0.25,
      happyPath: 2,
    });
  });
});
