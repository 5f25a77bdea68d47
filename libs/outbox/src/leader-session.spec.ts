import { leaderClientConfig, leaderSessionTimings } from './leader-session';

describe('leaderSessionTimings', () => {
  it.each([2_000, 8_000, 20_000, 30_000, 600_000])(
    'when the takeover bound is %i ms, then a silent leader is out of it within the bound and a healthy one never idles into its timeout',
    (takeoverMs) => {
      const t = leaderSessionTimings(takeoverMs);
      // Worst case: a statement running when the leader went silent, then the idle session, then a standby's try.
      expect(t.statementTimeoutMs + t.idleSessionTimeoutMs + t.standbyRetryMs).toBeLessThan(takeoverMs);
      // A healthy leader queries at least twice within the server's idle timeout.
      expect(t.heartbeatIntervalMs * 2).toBeLessThan(t.idleSessionTimeoutMs);
      // The silent leader's own client gives up (next heartbeat, then its query timeout) before the
      // server releases the lock, so it has stopped leading when a standby takes over.
      expect(t.heartbeatIntervalMs + t.statementTimeoutMs).toBeLessThan(t.idleSessionTimeoutMs);
    },
  );
});

describe('leaderClientConfig', () => {
  it('when a relay connects, then the server-side timeouts go with the startup message and the client has its own', () => {
    const config = leaderClientConfig('postgresql://relay@db:5432/orders', leaderSessionTimings(20_000));
    expect(config).toMatchObject({
      connectionString: 'postgresql://relay@db:5432/orders',
      keepAlive: true,
      connectionTimeoutMillis: 5_000,
      query_timeout: 5_000,
      statement_timeout: 5_000,
    });
    expect(config.options).toBe(
      '-c idle_session_timeout=10000 -c idle_in_transaction_session_timeout=10000 -c tcp_user_timeout=10000' +
        ' -c tcp_keepalives_idle=5 -c tcp_keepalives_interval=1 -c tcp_keepalives_count=3' +
        ' -c plan_cache_mode=force_generic_plan -c enable_seqscan=off',
    );
  });
});
