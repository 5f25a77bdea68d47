export default {
  displayName: 'event-backbone',
  preset: '../../jest.preset.js',
};
