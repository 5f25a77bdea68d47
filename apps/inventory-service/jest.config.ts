export default {
  displayName: 'inventory-service',
  preset: '../../jest.preset.js',
};
