export default {
  displayName: 'e2e',
  preset: '../../jest.preset.js',
  // Whole sagas across five processes: generous, but every wait is on a condition with a deadline.
  testTimeout: 180_000,
};
