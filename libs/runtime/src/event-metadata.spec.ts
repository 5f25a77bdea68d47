import { commandMetadata, reactionMetadata } from './event-metadata';

describe('event metadata', () => {
  it('a command starts a flow: new event id, no cause', () => {
    const metadata = commandMetadata();
    expect(metadata).toMatchObject({ causationId: null });
    expect(metadata.correlationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(metadata.eventId).not.toBe(metadata.correlationId);
  });

  it('a reaction continues the flow and names its cause', () => {
    const cause = commandMetadata('flow-1');
    const reaction = reactionMetadata(cause);
    expect(reaction).toMatchObject({ correlationId: 'flow-1', causationId: cause.eventId });
    expect(reaction.eventId).not.toBe(cause.eventId);
  });
});
