export default {
  displayName: 'benchmarks',
  preset: '../../jest.preset.js',
};
