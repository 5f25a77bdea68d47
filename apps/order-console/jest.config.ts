export default {
  displayName: 'order-console',
  preset: '../../jest.preset.js',
};
