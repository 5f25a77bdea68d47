// Must stay the first import: see instrumentation.ts.
import { telemetry } from './instrumentation';

import { serveService } from '@ecommerce/runtime';

import { inventoryService } from './service';

serveService(inventoryService, telemetry);
