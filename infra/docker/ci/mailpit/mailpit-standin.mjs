// Stand-in for Mailpit in CI, where no image can be pulled and Mailpit (a Go program) is on none
// of the registries the build machines reach. A real SMTP server (the smtp-server package, as the
// notification tests use) on :1025 keeps the mail it receives in memory, and :8025 answers the
// Mailpit API calls the compose check (apps/demo-init/src/verify-demo.ts) makes:
//
//   GET /api/v1/messages           { total, messages: [{ ID, From, To, Subject, Created }] }
//   GET /api/v1/message/:id        { ID, From, To, Subject, Text }
//   GET /readyz                    200
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import { SMTPServer } from 'smtp-server';

const messages = [];

/** Just enough of RFC 5322 for a check: headers until the blank line, then the body. */
function parseMessage(raw) {
  const [head, ...body] = raw.replace(/\r\n/g, '\n').split('\n\n');
  const headers = {};
  for (const line of head.replace(/\n[ \t]+/g, ' ').split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { subject: headers.subject ?? '', text: body.join('\n\n') };
}

const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  onData(stream, session, callback) {
    const chunks = [];
    stream.on('data', (chunk) => chunks.push(chunk));
    stream.on('end', () => {
      const { subject, text } = parseMessage(Buffer.concat(chunks).toString('utf8'));
      messages.push({
        ID: randomUUID(),
        From: { Address: session.envelope.mailFrom ? session.envelope.mailFrom.address : '' },
        To: session.envelope.rcptTo.map((recipient) => ({ Address: recipient.address })),
        Subject: subject,
        Created: new Date().toISOString(),
        Text: text,
      });
      callback();
    });
  },
});

function json(response, status, body) {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

const api = createServer((request, response) => {
  const url = new URL(request.url ?? '/', 'http://localhost');
  if (url.pathname === '/readyz' || url.pathname === '/livez') return json(response, 200, { status: 'ok' });
  if (url.pathname === '/api/v1/messages') {
    const summaries = messages.map(({ Text, ...summary }) => summary).reverse();
    return json(response, 200, {
      total: messages.length,
      messages_count: messages.length,
      messages: summaries,
    });
  }
  const one = url.pathname.match(/^\/api\/v1\/message\/([0-9a-f-]+)$/);
  const message = one && messages.find((m) => m.ID === one[1]);
  if (message) return json(response, 200, message);
  return json(response, 404, { error: 'not found' });
});

smtp.listen(1025, '0.0.0.0');
api.listen(8025, '0.0.0.0');
console.log('mailpit stand-in: SMTP on :1025, API on :8025');
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => process.exit(0));
