import type { AddressInfo } from 'node:net';

import { SMTPServer } from 'smtp-server';

/** One message as the SMTP server received it (whether or not it had answered yet). */
export interface ReceivedMail {
  /** The `X-Order-Id` header notification-service writes. */
  orderId: string | undefined;
  subject: string;
  /** Its `Message-ID`: the same id twice is one message delivered again, not a second one. */
  messageId: string | undefined;
  receivedAt: Date;
  /** How long the server waited before it accepted the message. */
  answeredAfterMs: number;
}

/**
 * The customers' mail server of a chaos run, built on `smtp-server` (Mailpit and the like cannot be
 * installed here; see INFRA-NOTES). It accepts every message and records it, so the run can count
 * the mails of each (order, template), a double effect of the system that no database of its shows.
 * On demand it answers the end of each message only after a delay: an SMTP server slower than the
 * service's transaction timeout. A message counts as received once its data has arrived, even if
 * the client gave up before the answer: a real server would deliver it.
 */
export class RecordingSmtpServer {
  private readonly received: ReceivedMail[] = [];
  private answerDelayMs = 0;
  private readonly server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData: (stream, _session, callback) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const delayMs = this.answerDelayMs;
        this.record(Buffer.concat(chunks).toString('utf8'), delayMs);
        setTimeout(() => callback(), delayMs);
      });
    },
  });
  private listeningOn = 0;

  /**
   * Starts listening on a free port of the loopback interface. A client connection that fails (an
   * instance killed in the middle of a session resets it) goes to `onConnectionError`: smtp-server
   * emits it as an `error` event, which without a listener would end the whole run.
   */
  static async start(onConnectionError: (error: Error) => void): Promise<RecordingSmtpServer> {
    const recorder = new RecordingSmtpServer();
    recorder.server.on('error', onConnectionError);
    await new Promise<void>((resolve, reject) => {
      recorder.server.server.once('error', reject);
      recorder.server.listen(0, '127.0.0.1', () => resolve());
    });
    recorder.listeningOn = (recorder.server.server.address() as AddressInfo).port;
    return recorder;
  }

  get port(): number {
    return this.listeningOn;
  }

  /** What notification-service's SMTP_URL points at. */
  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  get mails(): readonly ReceivedMail[] {
    return this.received;
  }

  /** From now on, every message is accepted only `ms` after its data arrived (0: at once). */
  answerAfter(ms: number): void {
    this.answerDelayMs = ms;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private record(raw: string, answeredAfterMs: number): void {
    const headers = mailHeaders(raw);
    this.received.push({
      orderId: headers.get('x-order-id'),
      subject: headers.get('subject') ?? '',
      messageId: headers.get('message-id'),
      receivedAt: new Date(),
      answeredAfterMs,
    });
  }
}

/**
 * The header fields of a raw message (RFC 5322: up to the first empty line, folded lines joined),
 * names in lower case, the first occurrence of each. Enough for the ASCII headers notification-
 * service writes; no MIME decoding (no mail parser is a dependency of the workspace).
 */
export function mailHeaders(raw: string): Map<string, string> {
  const end = raw.search(/\r?\n\r?\n/);
  const block = end === -1 ? raw : raw.slice(0, end);
  const unfolded = block.replace(/\r?\n[ \t]+/g, ' ');
  const headers = new Map<string, string>();
  for (const line of unfolded.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!headers.has(name)) headers.set(name, line.slice(colon + 1).trim());
  }
  return headers;
}
