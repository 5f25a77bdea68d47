export default {
  displayName: 'db-tools',
  preset: '../../jest.preset.js',
};
