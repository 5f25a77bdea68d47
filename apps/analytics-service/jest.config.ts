export default {
  displayName: 'analytics-service',
  preset: '../../jest.preset.js',
};
