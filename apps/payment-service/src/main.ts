// Must stay the first import: see instrumentation.ts.
import { telemetry } from './instrumentation';

import { serveService } from '@ecommerce/runtime';

import { paymentService } from './service';

serveService(paymentService, telemetry);
