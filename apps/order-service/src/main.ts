// Must stay the first import: see instrumentation.ts.
import { telemetry } from './instrumentation';

import { serveService } from '@ecommerce/runtime';

import { orderService } from './service';

serveService(orderService, telemetry);
