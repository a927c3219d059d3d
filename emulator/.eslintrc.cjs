// The emulator is checked as the tests are (it is test tooling, type-checked through test/tsconfig.json).
module.exports = require('../test/.eslintrc.cjs');
