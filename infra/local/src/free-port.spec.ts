import { freePort } from './free-port';

describe('freePort', () => {
  // A port is asked for long before its server binds it (a Kafka listener is named in the broker's
  // configuration, then the broker starts), so two asks in one process must never get the same
  // port back. The OS hands a just-closed port out again readily: CI's chaos run once got one port
  // for two instances' Kafka listeners, and the broker refused to start.
  it('when asked many times in one process, then never hands out the same port twice', async () => {
    const ports: number[] = [];
    for (let ask = 0; ask < 2000; ask += 1) ports.push(await freePort());

    const repeated = ports.filter((port, index) => ports.indexOf(port) !== index);
    expect(repeated).toEqual([]);
  });
});
