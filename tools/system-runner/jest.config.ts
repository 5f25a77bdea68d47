export default {
  displayName: 'system-runner',
  preset: '../../jest.preset.js',
};
