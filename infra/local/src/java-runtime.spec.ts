import { parseJavaVersion, pickJava, type JavaProbe } from './java-runtime';

describe('parseJavaVersion', () => {
  it.each([
    ['openjdk version "17.0.15" 2025-04-15', 17],
    ['openjdk version "25.0.3" 2026-04-21 LTS', 25],
    ['java version "1.8.0_392"', 8],
  ])('reads the major release from %s', (output, major) => {
    expect(parseJavaVersion(output)?.major).toBe(major);
  });

  it('returns undefined for output that is not a version banner', () => {
    expect(parseJavaVersion('command not found')).toBeUndefined();
  });
});

describe('pickJava', () => {
  const runtime = (javaPath: string, major: number, source: 'chosen' | 'installed'): JavaProbe => ({
    javaPath,
    source,
    runtime: { javaPath, major, version: `${major}` },
  });

  it('prefers the chosen Java when it is new enough', () => {
    const probes = [runtime('/usr/bin/java', 17, 'chosen'), runtime('/jvm/25/bin/java', 25, 'installed')];
    expect(pickJava(probes, 17)?.javaPath).toBe('/usr/bin/java');
  });

  it('otherwise takes the lowest installed release that is new enough', () => {
    const probes = [
      runtime('/usr/bin/java', 17, 'chosen'),
      runtime('/jvm/25/bin/java', 25, 'installed'),
      runtime('/jvm/21/bin/java', 21, 'installed'),
    ];
    expect(pickJava(probes, 21)?.javaPath).toBe('/jvm/21/bin/java');
  });

  it('returns undefined when nothing is new enough', () => {
    expect(pickJava([runtime('/usr/bin/java', 17, 'chosen')], 21)).toBeUndefined();
  });
});
