import { once } from 'node:events';
import { connect } from 'node:net';

import { waitFor } from '@ecommerce/system-runner';
import { createTransport } from 'nodemailer';

import { mailHeaders, RecordingSmtpServer } from './recording-smtp-server';

describe("the run's recording SMTP server", () => {
  let server: RecordingSmtpServer;
  let connectionErrors: Error[];

  beforeEach(async () => {
    connectionErrors = [];
    server = await RecordingSmtpServer.start((error) => connectionErrors.push(error));
  });
  afterEach(async () => {
    await server.stop();
  });

  const send = (messageId?: string) =>
    createTransport(server.url).sendMail({
      from: 'shop@test',
      to: 'c-1@customers.test',
      subject: 'Your order o-1 is confirmed',
      text: 'Thanks',
      headers: { 'X-Order-Id': 'o-1' },
      ...(messageId && { messageId }),
    });

  it('when a mail is sent, then it is recorded with its order, subject and Message-ID', async () => {
    await send('<fixed@test>');
    expect(server.mails).toEqual([
      expect.objectContaining({
        orderId: 'o-1',
        subject: 'Your order o-1 is confirmed',
        messageId: '<fixed@test>',
        answeredAfterMs: 0,
      }),
    ]);
  });

  it('when asked to answer late, then the sender waits that long and the mail is recorded on arrival', async () => {
    server.answerAfter(600);
    const started = Date.now();
    let accepted = false;
    const sending = send().then(() => (accepted = true));
    await waitFor('the mail to arrive', () => server.mails.length === 1);
    expect(accepted).toBe(false);
    await sending;
    expect(Date.now() - started).toBeGreaterThanOrEqual(600);
    server.answerAfter(0);
    await send();
    expect(server.mails.map((mail) => mail.answeredAfterMs)).toEqual([600, 0]);
  });

  it('when a client resets its connection within a mail transaction (an instance killed), then the failure is reported and the server goes on', async () => {
    const client = connect(server.port, '127.0.0.1');
    const answer = async (command: string) => {
      client.write(`${command}\r\n`);
      await once(client, 'data');
    };
    await once(client, 'data'); // the greeting
    await answer('EHLO killed.test');
    // Outside a transaction smtp-server drops a reset quietly; within one it emits it.
    await answer('MAIL FROM:<shop@test>');
    client.resetAndDestroy();
    await waitFor('the reset to be reported', () => connectionErrors.length === 1);
    expect(connectionErrors[0]).toMatchObject({ code: 'ECONNRESET' });
    await send();
    expect(server.mails).toHaveLength(1);
  });
});

describe('reading the headers of a raw mail', () => {
  it('when a header is folded over lines, then it is read as one, names in lower case, the body ignored', () => {
    const raw =
      'Subject: We received\r\n your order o-1\r\nX-Order-ID: o-1\r\nMessage-ID: <a@x>\r\n\r\nSubject: not a header\r\n';
    const headers = mailHeaders(raw);
    expect(headers.get('subject')).toBe('We received your order o-1');
    expect(headers.get('x-order-id')).toBe('o-1');
    expect(headers.get('message-id')).toBe('<a@x>');
  });
});
