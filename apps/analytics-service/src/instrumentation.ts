// Imported first by main.ts: OpenTelemetry patches http and pg only if it starts before they load.
import { startServiceTelemetry } from '@ecommerce/telemetry';

import { loadAnalyticsServiceConfig, SERVICE_NAME } from './config';

export const telemetry = startServiceTelemetry(SERVICE_NAME, loadAnalyticsServiceConfig);
