import { createTransport, type Transporter } from 'nodemailer';

export interface OutgoingMessage {
  /** The notification's stable id: every attempt to send it carries the same Message-ID. */
  notificationId: string;
  to: string;
  subject: string;
  text: string;
  /** Stored as a mail header, so a message can be traced back to its order. */
  orderId: string;
}

/** Where notifications go: e-mail over SMTP, or, with no SMTP configured, the service's log. */
export interface NotificationChannel {
  readonly name: 'email' | 'log';
  /** Resolves when the message is handed over; rejects (retriably) when it could not be. */
  deliver(message: OutgoingMessage): Promise<'sent' | 'logged'>;
  close(): void;
}

interface ChannelLogger {
  info(object: object, message: string): void;
}

/**
 * The Message-ID of a notification's mail (RFC 5322 `<id-left@id-right>`): the notification id at
 * the sender's domain. The same on every attempt, so a copy sent again after a failure or a crash
 * between sending and recording is recognisable as the same message (and dropped by mail systems
 * that deduplicate on it).
 */
export function messageIdOf(notificationId: string, from: string): string {
  const domain = /@([^@\s>]+)>?\s*$/.exec(from)?.[1] ?? 'notifications.invalid';
  return `<${notificationId}@${domain}>`;
}

export function createNotificationChannel(settings: {
  smtpUrl: string | undefined;
  from: string;
  logger: ChannelLogger;
}): NotificationChannel {
  if (!settings.smtpUrl) {
    return {
      name: 'log',
      deliver: async (message) => {
        settings.logger.info(
          {
            orderId: message.orderId,
            notificationId: message.notificationId,
            to: message.to,
            subject: message.subject,
          },
          'notification logged',
        );
        return 'logged';
      },
      close: () => undefined,
    };
  }
  // nodemailer: the well-kept Node mail client; it speaks SMTP, STARTTLS and auth from the URL.
  const transport: Transporter = createTransport(settings.smtpUrl);
  return {
    name: 'email',
    deliver: async (message) => {
      await transport.sendMail({
        messageId: messageIdOf(message.notificationId, settings.from),
        from: settings.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        headers: { 'X-Order-Id': message.orderId },
      });
      return 'sent';
    },
    close: () => transport.close(),
  };
}
