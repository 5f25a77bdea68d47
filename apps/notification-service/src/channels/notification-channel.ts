import { createTransport, type Transporter } from 'nodemailer';

export interface OutgoingMessage {
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
          { orderId: message.orderId, to: message.to, subject: message.subject },
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
