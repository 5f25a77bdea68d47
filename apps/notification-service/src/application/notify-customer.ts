import { randomUUID } from 'node:crypto';

import type { SqlExecutor } from '@ecommerce/database';
import {
  type ConsumerLogger,
  type EventOutbox,
  externalEffectHandler,
  reactionMetadata,
  writeEvent,
} from '@ecommerce/runtime';

import type { NotificationChannel } from '../channels/notification-channel';
import type { RenderedNotification } from '../domain/order-templates';

type NotificationTx = SqlExecutor;

export interface NotifyDependencies {
  events: EventOutbox;
  channel: NotificationChannel;
  customerMailDomain: string;
  logger: ConsumerLogger;
}

/** The event that caused the notification, for the metadata of the one it announces. */
export interface Cause {
  eventId: string;
  correlationId: string;
}

function addressOf(customerId: string, domain: string): string {
  return customerId.includes('@') ? customerId : `${customerId}@${domain}`;
}

type Claim =
  | { outcome: 'claimed'; notification: RenderedNotification; notificationId: string; sendAttempts: number }
  | { outcome: 'already-delivered'; notification: RenderedNotification };

/**
 * Claims the (order, template) notification for sending: the first claim inserts it `pending` with
 * a new id; a later one (the send failed, or the process died before recording it) finds it still
 * `pending`, keeps its id and counts one more attempt; once it is `sent` or `logged` there is
 * nothing left to claim. One statement, so two claims of the same pair serialise on its unique key.
 */
async function claimNotification(
  tx: NotificationTx,
  notification: RenderedNotification,
  channel: NotificationChannel['name'],
): Promise<Claim> {
  const [claimed] = await tx.$queryRawUnsafe<{ id: string; send_attempts: number }[]>(
    `INSERT INTO notifications (id, order_id, customer_id, template, channel, status, send_attempts)
     VALUES ($1::uuid, $2::uuid, $3, $4, $5, 'pending', 1)
     ON CONFLICT (order_id, template) DO UPDATE
       SET send_attempts = notifications.send_attempts + 1, channel = EXCLUDED.channel
       WHERE notifications.status = 'pending'
     RETURNING id::text, send_attempts`,
    randomUUID(),
    notification.orderId,
    notification.customerId,
    notification.template,
    channel,
  );
  return claimed
    ? { outcome: 'claimed', notification, notificationId: claimed.id, sendAttempts: claimed.send_attempts }
    : { outcome: 'already-delivered', notification };
}

/**
 * Records a delivered notification and announces it (NotificationSent), in the consumer's
 * transaction with the event's inbox row. Only a `pending` row moves: if another delivery of the
 * same pair recorded it first, nothing is announced twice.
 */
async function recordDelivery(
  tx: NotificationTx,
  events: EventOutbox,
  delivered: { notification: RenderedNotification; notificationId: string; cause: Cause },
  channel: NotificationChannel['name'],
  status: 'sent' | 'logged',
): Promise<void> {
  const { notification, notificationId, cause } = delivered;
  // Raw SQL on the saga's path: Prisma's cost is per call (BENCHMARKS.md, "Prisma's cost per call").
  const updated = await tx.$executeRawUnsafe(
    `UPDATE notifications SET status = $2 WHERE id = $1::uuid AND status = 'pending'`,
    notificationId,
    status,
  );
  if (updated === 0) return;
  await writeEvent(tx, events, {
    type: 'NotificationSent',
    payload: {
      ...reactionMetadata(cause),
      orderId: notification.orderId,
      notificationId,
      customerId: notification.customerId,
      template: notification.template,
      channel,
      status,
    },
  });
}

/**
 * One notification per (order, template), its mail sent outside any transaction (SPEC 6): a slow
 * SMTP server holds no transaction open, and a transaction that fails cannot leave a mail sent but
 * unrecorded, to be sent again on every retry. An ExternalEffectHandler for the events `render`
 * makes a notification of:
 * 1. `claim`: the pair is claimed (`claimNotification`) in the transaction the consumer commits
 *    before the mail is sent, which gives it a stable id.
 * 2. `perform`: the mail is sent with a Message-ID made from that id; the returned step records
 *    the status and NotificationSent, with the inbox row.
 * A failure or crash between 2 and its record leaves the claim `pending`: the retry sends the same
 * mail again, with the same Message-ID (which lets mail systems drop the copy), counts the attempt
 * and logs a warning. That is the one repeat this allows: a recorded notification is never sent
 * again.
 */
export function notifyCustomer<Payload extends Cause>(
  dependencies: NotifyDependencies,
  render: (payload: Payload) => RenderedNotification,
) {
  const { channel, logger } = dependencies;
  return externalEffectHandler({
    claim: ({ payload }: { payload: Payload }, tx: NotificationTx) =>
      claimNotification(tx, render(payload), channel.name),
    perform: async (claim: Claim, { payload }: { payload: Payload }) => {
      const { notification } = claim;
      const context = { orderId: notification.orderId, template: notification.template };
      if (claim.outcome === 'already-delivered') {
        logger.info(context, 'notification already delivered; ignored');
        return async () => undefined;
      }
      const { notificationId, sendAttempts } = claim;
      if (sendAttempts > 1) {
        logger.warn(
          { ...context, notificationId, sendAttempts },
          'notification claimed again: an earlier attempt may have delivered it; sending it again with the same Message-ID',
        );
      }
      const status = await channel.deliver({
        notificationId,
        to: addressOf(notification.customerId, dependencies.customerMailDomain),
        subject: notification.subject,
        text: notification.text,
        orderId: notification.orderId,
      });
      return (tx: NotificationTx) =>
        recordDelivery(
          tx,
          dependencies.events,
          { notification, notificationId, cause: payload },
          channel.name,
          status,
        );
    },
  });
}
