import type { SectionId } from './live/live-updates';
import type { ClusterMonitor } from './projection/cluster-monitor';
import {
  unseenOrder,
  type OrderConsoleProjection,
  type OrderView,
} from './projection/order-console-projection';
import {
  groupsSection,
  homePage,
  orderPage,
  orderSummarySection,
  ordersSection,
  outboxesSection,
  timelineSection,
  type PageContext,
} from './views/pages';

const RECENT_ORDERS = 50;

/** The console's pages and live sections, rendered from the read model and the cluster's state. */
export class ConsoleViews {
  private readonly context: PageContext;

  constructor(
    private readonly projection: OrderConsoleProjection,
    private readonly cluster: ClusterMonitor,
    settings: { topicPrefix: string; jaegerUrl: string | undefined },
  ) {
    this.context = {
      ...settings,
      handlingOf: (entry) => cluster.handlingOf(entry),
      now: () => Date.now(),
    };
  }

  homePage(message?: { text: string; error: boolean }): string {
    return homePage(
      this.context,
      {
        orders: this.projection.recentOrders(RECENT_ORDERS),
        products: this.projection.catalog(),
        cluster: this.cluster.current(),
        outboxes: this.projection.outboxStatuses(),
      },
      message,
    ).value;
  }

  orderPage(orderId: string, message?: { text: string; error: boolean }): string {
    return orderPage(this.order(orderId), this.context, message).value;
  }

  /** One section of a page, for a live update. */
  section(id: SectionId, orderId: string | undefined): string {
    switch (id) {
      case 'orders':
        return ordersSection(this.projection.recentOrders(RECENT_ORDERS)).value;
      case 'groups':
        return groupsSection(this.cluster.current()).value;
      case 'outboxes':
        return outboxesSection(this.projection.outboxStatuses(), Date.now()).value;
      case 'order-summary':
        return orderSummarySection(this.order(orderId ?? '')).value;
      case 'timeline':
        return timelineSection(this.order(orderId ?? ''), this.context).value;
    }
  }

  /** An order the console has not seen an event of yet gets a page that waits for the first one. */
  private order(orderId: string): OrderView {
    return this.projection.order(orderId) ?? unseenOrder(orderId);
  }
}
