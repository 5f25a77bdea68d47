// Stand-in for Grafana in CI, where no image can be pulled and Grafana (a Go program) is on none of
// the registries the build machines reach. It renders nothing. It reads what the compose file
// provisions for the real Grafana (the dashboards in /var/lib/grafana/dashboards) and answers the
// few Grafana HTTP API calls the compose check makes:
//
//   GET /api/health                                  { database: 'ok', version }
//   GET /api/search                                  the provisioned dashboards
//   GET /api/dashboards/uid/:uid                     { dashboard, meta }
//   GET /api/datasources/proxy/uid/prometheus/*      forwarded to the Prometheus data source
//
// So CI proves that the dashboard files are where Grafana's provisioning reads them and that each
// panel's query, sent the way Grafana sends it (through the data source proxy), returns series from
// the real Prometheus scraping the services. It does not prove that Grafana renders the panels.
import { readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';

const dashboardsDir = process.env.GF_STANDIN_DASHBOARDS ?? '/var/lib/grafana/dashboards';
// The URL the provisioned data source (infra/monitoring/grafana/provisioning/datasources) names.
const prometheusUrl = process.env.GF_STANDIN_PROMETHEUS_URL ?? 'http://prometheus:9090';
const port = Number(process.env.GF_SERVER_HTTP_PORT ?? 3000);

function dashboards() {
  return readdirSync(dashboardsDir)
    .filter((file) => file.endsWith('.json'))
    .map((file) => JSON.parse(readFileSync(join(dashboardsDir, file), 'utf8')));
}

function send(response, status, body) {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

createServer(async (request, response) => {
  const url = new URL(request.url ?? '/', 'http://localhost');
  try {
    if (url.pathname === '/api/health') return send(response, 200, { database: 'ok', version: 'standin' });
    if (url.pathname === '/api/search') {
      return send(
        response,
        200,
        dashboards().map((d) => ({ uid: d.uid, title: d.title, type: 'dash-db', tags: d.tags ?? [] })),
      );
    }
    const dashboard = /^\/api\/dashboards\/uid\/([^/]+)$/.exec(url.pathname);
    if (dashboard) {
      const found = dashboards().find((d) => d.uid === dashboard[1]);
      return found
        ? send(response, 200, { dashboard: found, meta: { provisioned: true, slug: found.uid } })
        : send(response, 404, { message: 'Dashboard not found' });
    }
    const proxied = /^\/api\/datasources\/proxy\/uid\/prometheus(\/.*)$/.exec(url.pathname);
    if (proxied) {
      const answer = await fetch(`${prometheusUrl}${proxied[1]}${url.search}`);
      response.writeHead(answer.status, {
        'content-type': answer.headers.get('content-type') ?? 'application/json',
      });
      return response.end(Buffer.from(await answer.arrayBuffer()));
    }
    send(response, 404, { message: 'Not found (Grafana stand-in: see grafana-standin.mjs)' });
  } catch (error) {
    send(response, 502, { message: String(error) });
  }
}).listen(port, () => console.log(`grafana stand-in on :${port}, dashboards from ${dashboardsDir}`));
