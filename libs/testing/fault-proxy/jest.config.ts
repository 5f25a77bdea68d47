export default {
  displayName: 'fault-proxy',
  preset: '../../../jest.preset.js',
};
