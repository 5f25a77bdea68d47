export default {
  displayName: 'test-infra',
  preset: '../../../jest.preset.js',
};
