import { randomUUID } from 'node:crypto';

import { reactionMetadata, writeEvent, type EventOutbox } from '@ecommerce/event-backbone';

import type { NotificationChannel } from '../channels/notification-channel';
import type { RenderedNotification } from '../domain/order-templates';
import type { Prisma } from '../generated/prisma/client';

export interface NotifyDependencies {
  backbone: EventOutbox;
  channel: NotificationChannel;
  customerMailDomain: string;
}

/** The event that caused the notification, for the metadata of the one it announces. */
export interface Cause {
  eventId: string;
  correlationId: string;
}

function addressOf(customerId: string, domain: string): string {
  return customerId.includes('@') ? customerId : `${customerId}@${domain}`;
}

/**
 * Sends one notification per (order, template) and announces it, in the consumer's transaction:
 * the row is claimed first (a second event for the same pair finds it and stops), then delivered,
 * then recorded with its status and a NotificationSent in the outbox. A delivery failure throws,
 * which rolls all of it back; the consumer retries, then dead-letters.
 * At least once for mail: a crash after delivery and before commit sends it again.
 */
export async function notifyCustomer(
  tx: Prisma.TransactionClient,
  dependencies: NotifyDependencies,
  notification: RenderedNotification,
  cause: Cause,
): Promise<'sent' | 'logged' | 'duplicate'> {
  const notificationId = randomUUID();
  const { count } = await tx.notification.createMany({
    data: [
      {
        id: notificationId,
        orderId: notification.orderId,
        customerId: notification.customerId,
        template: notification.template,
        channel: dependencies.channel.name,
        status: 'pending',
      },
    ],
    skipDuplicates: true,
  });
  if (count === 0) return 'duplicate';

  const status = await dependencies.channel.deliver({
    to: addressOf(notification.customerId, dependencies.customerMailDomain),
    subject: notification.subject,
    text: notification.text,
    orderId: notification.orderId,
  });
  await tx.notification.update({ where: { id: notificationId }, data: { status } });

  await writeEvent(tx, dependencies.backbone, {
    type: 'NotificationSent',
    payload: {
      ...reactionMetadata(cause),
      orderId: notification.orderId,
      notificationId,
      customerId: notification.customerId,
      template: notification.template,
      channel: dependencies.channel.name,
      status,
    },
  });
  return status;
}
