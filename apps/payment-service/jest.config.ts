export default {
  displayName: 'payment-service',
  preset: '../../jest.preset.js',
};
