module.exports = {
  extends: ['eslint-config-salesforce-typescript', 'plugin:sf-plugin/recommended'],
  root: true,
  overrides: [
    {
      // The commands extend UsageCommand (src/command/usageCommand.ts), which extends SfCommand and declares no flags: SfCommand's
      // base flags are inherited as they are, and there is nothing of its own to spread into `flags`.
      files: ['src/commands/**/*.ts'],
      rules: {
        'sf-plugin/only-extend-SfCommand': 'off',
        'sf-plugin/spread-base-flags': 'off',
      },
    },
  ],
};
