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

/**
 * The SMTP server did not take a mail: unreachable, silent for longer than `SMTP_TIMEOUT_MS`, or
 * refusing it. It spends one of the event's attempts, even when a network error caused it: SPEC 2
 * retries a send a few times and then dead-letters the event, where it waits to be replayed once the
 * server is back, rather than holding the orders partition (and every notification behind it) for as
 * long as the mail server is away.
 */
export class MailNotSentError extends Error {
  override readonly name = 'MailNotSentError';
  readonly code = 'MAIL_NOT_SENT';
  readonly retriable = true;
  readonly outage = false;

  constructor(cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    const smtpCode = (cause as { code?: unknown } | null)?.code;
    super(`mail not sent${typeof smtpCode === 'string' ? ` (${smtpCode})` : ''}: ${reason}`, { cause });
  }
}

/** Where notifications go: e-mail over SMTP, or, with no SMTP configured, the service's log. */
export interface NotificationChannel {
  readonly name: 'email' | 'log';
  /** Resolves when the message is handed over; rejects with MailNotSentError when it could not be. */
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
  /** Connect, greeting and per-command deadline (`SMTP_TIMEOUT_MS`). */
  smtpTimeoutMs: number;
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
  // Its own deadlines are 2 minutes to connect and 10 minutes of silence: a server that accepts and
  // then hangs would hold the partition that long per try. With these, a silent server fails the send
  // within SMTP_TIMEOUT_MS (MailNotSentError); the next try sends under the same Message-ID.
  const transport: Transporter = createTransport({
    url: settings.smtpUrl,
    connectionTimeout: settings.smtpTimeoutMs,
    greetingTimeout: settings.smtpTimeoutMs,
    socketTimeout: settings.smtpTimeoutMs,
  });
  return {
    name: 'email',
    deliver: async (message) => {
      try {
        await transport.sendMail({
          messageId: messageIdOf(message.notificationId, settings.from),
          from: settings.from,
          to: message.to,
          subject: message.subject,
          text: message.text,
          headers: { 'X-Order-Id': message.orderId },
        });
      } catch (error) {
        throw new MailNotSentError(error);
      }
      return 'sent';
    },
    close: () => transport.close(),
  };
}
