export default {
  displayName: 'order-service',
  preset: '../../jest.preset.js',
};
