export default {
  displayName: 'notification-service',
  preset: '../../jest.preset.js',
};
