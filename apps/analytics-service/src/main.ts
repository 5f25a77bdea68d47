// Must stay the first import: see instrumentation.ts.
import { telemetry } from './instrumentation';

import { serveService } from '@ecommerce/runtime';

import { analyticsService } from './service';

serveService(analyticsService, telemetry);
