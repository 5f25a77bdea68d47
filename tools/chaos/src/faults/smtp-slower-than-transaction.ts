import { pause, type ChaosRun } from '../chaos-run';
import { doubleMails } from '../findings';
import { faultCheck } from '../report';

/**
 * The customers' SMTP server accepts each mail only `answerAfterMs` after it arrived, for `forMs`:
 * slower than the transaction a notification is handled in (Prisma's interactive transactions end
 * after 5 s unless configured otherwise). Issue 10, defect 2: a mail sent inside the transaction is
 * sent, the commit fails, and every retry mails the customer again. Required: exactly one mail per
 * (order, template), and the partition moves on (invariant 6 sees a group behind). The fault's
 * check counts the mails of the orders mailed during the window; the run counts every double mail
 * of the run as a double effect too. Runs in the background.
 */
export function smtpSlowerThanTransaction(
  run: ChaosRun,
  { answerAfterMs, forMs }: { answerAfterMs: number; forMs: number },
): void {
  const ordersMailedDuringWindow = new Set<string>();
  run.background(
    run.faults.inject('smtp-slower-than-transaction', 'SMTP server', async () => {
      const first = run.mail.mails.length;
      run.mail.answerAfter(answerAfterMs);
      try {
        await pause(forMs);
      } finally {
        run.mail.answerAfter(0);
      }
      const during = run.mail.mails.slice(first);
      for (const mail of during) if (mail.orderId) ordersMailedDuringWindow.add(mail.orderId);
      return `every mail accepted ${answerAfterMs / 1000}s after it arrived, for ${forMs / 1000}s: ${during.length} mails received meanwhile`;
    }),
  );
  run.finalChecks.push(async () => {
    const mails = run.mail.mails.filter((mail) => mail.orderId && ordersMailedDuringWindow.has(mail.orderId));
    return faultCheck('F-smtp', 'SMTP slower than the transaction: one mail per (order, template)', {
      ...(ordersMailedDuringWindow.size === 0 && { untested: 'no mail arrived while the server was slow' }),
      violations: doubleMails(mails).map((double) => double.what),
      checked: `${mails.length} mails of ${ordersMailedDuringWindow.size} orders mailed while it was slow, none twice`,
    });
  });
}
