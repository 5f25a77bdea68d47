import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { downloadsSoFar } from './maven-distribution';

describe('progress of a first download (Maven log)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'maven-log-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('when Maven has downloaded files, then their number and size are read from its log', () => {
    const log = join(dir, 'maven.log');
    writeFileSync(
      log,
      [
        '[INFO] Downloading from central: https://repo.maven.apache.org/maven2/org/apache/kafka/kafka_2.13/3.9.2/kafka_2.13-3.9.2.jar',
        '[INFO] Downloaded from central: https://repo.maven.apache.org/maven2/org/apache/kafka/kafka_2.13/3.9.2/kafka_2.13-3.9.2.jar (6.4 MB at 3.1 MB/s)',
        '[INFO] Downloaded from central: https://repo.maven.apache.org/maven2/org/slf4j/slf4j-api/1.7.36/slf4j-api-1.7.36.pom (2.7 kB at 40 kB/s)',
        '[INFO] Downloaded from central: https://repo.maven.apache.org/maven2/x/y/1/y-1.jar (512 B at 1 kB/s)',
      ].join('\n'),
    );
    const progress = downloadsSoFar(log);
    expect(progress.files).toBe(3);
    expect(progress.megabytes).toBeCloseTo(6.4 + 0.0027 + 0.000512, 6);
  });

  it('when Maven has not written its log yet, then nothing is downloaded so far', () => {
    expect(downloadsSoFar(join(dir, 'missing.log'))).toEqual({ files: 0, megabytes: 0 });
  });
});
