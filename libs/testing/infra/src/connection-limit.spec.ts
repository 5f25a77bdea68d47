import { connectionLimitWarning, TEST_POSTGRES_MAX_CONNECTIONS } from './connection-limit';

describe('connectionLimitWarning', () => {
  it("when the server allows PostgreSQL's default 100 connections, then the warning names the limit, the server and how to raise it", () => {
    const warning = connectionLimitWarning(100, '127.0.0.1:5432');

    expect(warning).toContain('127.0.0.1:5432 allows 100 connections');
    expect(warning).toContain(`ALTER SYSTEM SET max_connections = ${TEST_POSTGRES_MAX_CONNECTIONS}`);
  });

  it('when the server allows as many connections as the parallel suites need, then there is nothing to say', () => {
    expect(connectionLimitWarning(TEST_POSTGRES_MAX_CONNECTIONS, '127.0.0.1:5432')).toBeUndefined();
  });
});
