import { connect } from 'node:net';

/**
 * Just enough of Kafka's wire protocol for local-infra to ask a broker a question without a Kafka
 * client (see kafka-metadata.ts for why): one request per connection, request header v1, response
 * header v0, non-flexible (pre-KIP-482) request and response versions only.
 */
export interface KafkaRequest {
  readonly apiKey: number;
  readonly version: number;
  readonly body: (writer: KafkaWriter) => void;
}

/**
 * Sends `request` to `bootstrap` (`host:port`) on a connection of its own and returns a reader
 * positioned at the response body. Rejects when the broker cannot be reached or does not answer in
 * full within `timeoutMs`.
 */
export async function kafkaRequest(
  bootstrap: string,
  request: KafkaRequest,
  timeoutMs: number,
): Promise<KafkaReader> {
  const writer = new KafkaWriter();
  writer.int16(request.apiKey).int16(request.version).int32(1).string('local-infra');
  request.body(writer);
  const reader = new KafkaReader(await exchange(bootstrap, writer.framed(), timeoutMs));
  reader.int32(); // correlation id: one request per connection
  return reader;
}

/** Sends one framed request and resolves with the response's bytes (without the size prefix). */
function exchange(bootstrap: string, request: Buffer, timeoutMs: number): Promise<Buffer> {
  const separator = bootstrap.lastIndexOf(':');
  const host = bootstrap.slice(0, separator);
  const port = Number(bootstrap.slice(separator + 1));
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let received = Buffer.alloc(0);
    const fail = (error: Error) => {
      socket.destroy();
      reject(error);
    };
    socket.setTimeout(timeoutMs, () =>
      fail(new Error(`no Metadata response from ${bootstrap} within ${timeoutMs} ms`)),
    );
    socket.once('error', fail);
    socket.once('close', () => fail(new Error(`${bootstrap} closed the connection before it answered`)));
    socket.once('connect', () => socket.write(request));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 4 || received.length < 4 + received.readInt32BE(0)) return;
      socket.removeAllListeners('close');
      socket.destroy();
      resolve(received.subarray(4, 4 + received.readInt32BE(0)));
    });
  });
}

/** Kafka's request encoding (big-endian; strings with an int16 length), framed by an int32 size. */
export class KafkaWriter {
  private readonly parts: Buffer[] = [];

  int8(value: number): this {
    return this.push(1, (buffer) => buffer.writeInt8(value));
  }

  int16(value: number): this {
    return this.push(2, (buffer) => buffer.writeInt16BE(value));
  }

  int32(value: number): this {
    return this.push(4, (buffer) => buffer.writeInt32BE(value));
  }

  string(value: string): this {
    const bytes = Buffer.from(value, 'utf8');
    this.int16(bytes.length);
    this.parts.push(bytes);
    return this;
  }

  framed(): Buffer {
    const body = Buffer.concat(this.parts);
    const size = Buffer.alloc(4);
    size.writeInt32BE(body.length);
    return Buffer.concat([size, body]);
  }

  private push(size: number, write: (buffer: Buffer) => void): this {
    const buffer = Buffer.alloc(size);
    write(buffer);
    this.parts.push(buffer);
    return this;
  }
}

/** Kafka's response decoding; a short or malformed response throws (Buffer's own range checks). */
export class KafkaReader {
  private offset = 0;

  constructor(private readonly buffer: Buffer) {}

  int8(): number {
    return this.buffer.readInt8(this.advance(1));
  }

  int16(): number {
    return this.buffer.readInt16BE(this.advance(2));
  }

  int32(): number {
    return this.buffer.readInt32BE(this.advance(4));
  }

  /** A (nullable) string: null for length -1. */
  string(): string | null {
    const length = this.int16();
    if (length < 0) return null;
    const start = this.advance(length);
    if (start + length > this.buffer.length) throw new RangeError('Kafka response ends inside a string');
    return this.buffer.toString('utf8', start, start + length);
  }

  array<T>(item: () => T): T[] {
    const length = this.int32();
    return Array.from({ length: Math.max(0, length) }, item);
  }

  private advance(size: number): number {
    const start = this.offset;
    this.offset += size;
    return start;
  }
}
