import type { ClientConfig } from 'pg';

/**
 * The timings of the relay's database session, derived from one bound: how long a leader that went
 * silent (crashed host, network partition, half-open connection) may keep the standbys waiting.
 *
 * Leadership is a session-level advisory lock, so it lasts exactly as long as the PostgreSQL server
 * keeps the session. Client-side timeouts alone cannot end it: behind a partition, or a proxy that
 * swallows traffic, the server still sees an open connection (its TCP keepalives may be answered by
 * a middlebox's kernel) and keeps the lock for hours. So the server is told to end the session
 * itself when the client goes quiet (`idle_session_timeout`, PostgreSQL 14+), and a healthy leader
 * is never quiet that long: it runs a heartbeat query several times within that window.
 *
 * Worst case from the moment the leader goes silent: a statement already running ends by
 * `statement_timeout` (a quarter of the bound), then the session, idle, is ended by
 * `idle_session_timeout` (half), then a standby's next try (a tenth at most, 1 s by default) takes the
 * lock: under the bound. The silent leader's own client notices sooner: its next heartbeat (a sixth)
 * times out (`query_timeout`, a quarter) and it stops leading before the server lets the lock go.
 */
export interface LeaderSessionTimings {
  /** The bound these are derived from. */
  takeoverMs: number;
  /** Server side: a session idle (no statement running) this long is ended, and the lock released. */
  idleSessionTimeoutMs: number;
  /** Server side: a statement running this long is cancelled. Client side: a query unanswered this long fails. */
  statementTimeoutMs: number;
  /** The leader queries at least this often (backlog metrics double as the heartbeat). */
  heartbeatIntervalMs: number;
  /** How often a standby tries to take the lock. */
  standbyRetryMs: number;
  /** Opening a connection (TCP and the startup exchange) fails after this long. */
  connectTimeoutMs: number;
  /** Kernel keepalives (both ends): first probe after this many seconds of silence, then every `keepaliveIntervalS`. */
  keepaliveIdleS: number;
  keepaliveIntervalS: number;
}

export function leaderSessionTimings(takeoverMs: number): LeaderSessionTimings {
  return {
    takeoverMs,
    idleSessionTimeoutMs: Math.floor(takeoverMs / 2),
    statementTimeoutMs: Math.floor(takeoverMs / 4),
    heartbeatIntervalMs: Math.floor(takeoverMs / 6),
    standbyRetryMs: Math.min(1_000, Math.floor(takeoverMs / 10)),
    connectTimeoutMs: Math.floor(takeoverMs / 4),
    keepaliveIdleS: Math.max(1, Math.floor(takeoverMs / 4_000)),
    keepaliveIntervalS: Math.max(1, Math.floor(takeoverMs / 12_000)),
  };
}

/**
 * node-postgres settings of a relay session (leader or standby trying the lock): the server's
 * timeouts are sent at connection start (`options`), so they hold from the first statement on.
 * A connection string's own `options` parameter is replaced by these.
 */
export function leaderClientConfig(databaseUrl: string, timings: LeaderSessionTimings): ClientConfig {
  const serverSettings = {
    idle_session_timeout: timings.idleSessionTimeoutMs,
    // The relay runs no explicit transactions; should one be left open, it must not hold the session either.
    idle_in_transaction_session_timeout: timings.idleSessionTimeoutMs,
    // Data the server sent and the client never acknowledged (a partition) ends the connection too.
    tcp_user_timeout: timings.idleSessionTimeoutMs,
    tcp_keepalives_idle: timings.keepaliveIdleS,
    tcp_keepalives_interval: timings.keepaliveIntervalS,
    tcp_keepalives_count: 3,
    // The relay's statements (`RELAY_STATEMENTS`) are plain lookups whose best plan never depends
    // on the values: planned once per session, not again for every round's values.
    plan_cache_mode: 'force_generic_plan',
    // ...and that one plan goes by index. Every statement of the relay has an index to use, while the
    // outbox's statistics are rarely right (a queue: new, emptied, or far from its last ANALYZE), and
    // a plan made when the table was new kept a scan of the whole table for the session's life, every
    // round (BENCHMARKS.md, "The relay's mark rides on its next read").
    enable_seqscan: 'off',
  };
  return {
    connectionString: databaseUrl,
    keepAlive: true,
    keepAliveInitialDelayMillis: timings.keepaliveIdleS * 1_000,
    connectionTimeoutMillis: timings.connectTimeoutMs,
    query_timeout: timings.statementTimeoutMs,
    statement_timeout: timings.statementTimeoutMs,
    options: Object.entries(serverSettings)
      .map(([name, value]) => `-c ${name}=${value}`)
      .join(' '),
    // Named for pg_stat_activity, unless the process names its sessions itself (PGAPPNAME, as
    // libpq does): an operator, or the chaos run, then finds which instance leads.
    fallback_application_name: 'outbox-relay',
  };
}
