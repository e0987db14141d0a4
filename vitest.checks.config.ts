// Checks that do not pass reliably yet, kept out of `npm test` and run with `npm run check:unreliable`
// (README "Known gaps" says what each shows). The suite's settings, other files; none at the moment.
import { defineConfig } from 'vitest/config'
import suite from './vitest.config.js'

export default defineConfig({
  ...suite,
  test: { ...suite.test, include: ['test/**/*.check.ts'], passWithNoTests: true },
})
