export default {
  displayName: 'k8s-manifests',
  preset: '../../jest.preset.js',
};
