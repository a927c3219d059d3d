module.exports = {
  extends: '../.eslintrc.cjs',
  parserOptions: {
    project: [require('path').join(__dirname, '..', 'test', 'tsconfig.json')],
  },
  env: { mocha: true },
  rules: {
    '@typescript-eslint/no-unused-expressions': 'off',
    '@typescript-eslint/explicit-function-return-type': 'off',
    '@typescript-eslint/no-empty-function': 'off',
    '@typescript-eslint/require-await': 'off',
    'no-unused-expressions': 'off',
  },
};
