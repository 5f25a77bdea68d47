export default async function globalTeardown(): Promise<void> {
  const release = (globalThis as { __releaseTestInfrastructure?: () => Promise<void> })
    .__releaseTestInfrastructure;
  await release?.();
}
