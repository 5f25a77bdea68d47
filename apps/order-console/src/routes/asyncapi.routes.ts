import { asyncApiDocument } from '@ecommerce/runtime';
import type { HttpServer } from '@ecommerce/http-server';

import { html } from '../views/html';
import { layout } from '../views/pages';

interface Channel {
  address: string;
  description: string;
  messages: Record<string, { $ref: string }>;
}
interface Message {
  title: string;
  summary: string;
  bindings?: { kafka?: { key?: { description?: string } } };
  payload: { schema?: unknown };
}

/**
 * The event backbone's AsyncAPI 3.0 document (generated from the contracts) for this system's
 * topic prefix, as JSON for tools (`/asyncapi.json`) and as a page for people (`/asyncapi`).
 */
export function registerAsyncApiRoutes(app: HttpServer, settings: { topicPrefix: string }): void {
  const document = asyncApiDocument({ topicPrefix: settings.topicPrefix });
  const channels = document.channels as Record<string, Channel>;
  const messages = document.components.messages as Record<string, Message>;

  app.get(
    '/asyncapi.json',
    { schema: { summary: 'The AsyncAPI 3.0 document of every topic, key, header and event' } },
    () => document,
  );

  const page = layout(
    'Events (AsyncAPI): order console',
    '',
    html`<h1>Events</h1>
      <p>
        Every topic, key, header and event, generated from the Avro contracts: the full document is
        <a href="/asyncapi.json">AsyncAPI 3.0 JSON</a>.
      </p>
      ${Object.entries(channels).map(
        ([id, channel]) =>
          html`<section aria-labelledby="channel-${id}">
            <h2 id="channel-${id}"><code>${channel.address}</code></h2>
            <p>${channel.description}</p>
            <table>
              <thead>
                <tr>
                  <th scope="col">Message</th>
                  <th scope="col">Key</th>
                  <th scope="col">What it says</th>
                  <th scope="col">Avro schema</th>
                </tr>
              </thead>
              <tbody>
                ${Object.keys(channel.messages).map((messageId) => {
                  const message = messages[messageId];
                  return html`<tr>
                    <th scope="row">${message?.title ?? messageId}</th>
                    <td>${message?.bindings?.kafka?.key?.description ?? 'as the original message'}</td>
                    <td>${message?.summary ?? ''}</td>
                    <td>
                      ${
                        message?.payload.schema
                          ? html`<details>
                              <summary>schema</summary>
                              <pre>${JSON.stringify(message.payload.schema, null, 2)}</pre>
                            </details>`
                          : 'the original bytes'
                      }
                    </td>
                  </tr>`;
                })}
              </tbody>
            </table>
          </section>`,
      )}`,
  ).value;
  app.get('/asyncapi', { schema: { hide: true } }, (_request, reply) =>
    reply.type('text/html; charset=utf-8').send(page),
  );
}
