export default {
  displayName: 'outbox',
  preset: '../../jest.preset.js',
};
