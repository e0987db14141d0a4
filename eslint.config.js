// Lint: typescript-eslint type-checked rules, plus the one-way import rules of STYLE.md:
// the Kafka clients are imported only in kafka/, LevelDB only in state/.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

const kafkaClients = ['kafkajs', '@confluentinc/kafka-javascript']
const levelDb = ['classic-level']
const restrict = (names, where) =>
  names.map((name) => ({ name, message: `${name} may only be imported in ${where}` }))

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'dist/**',
      '.cache/**',
      '.scratch/**',
      '.state/**',
      'bench/kstreams/**',
      'eslint.config.js',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
      'no-restricted-imports': [
        'error',
        { paths: [...restrict(kafkaClients, 'kafka/'), ...restrict(levelDb, 'state/')] },
      ],
    },
  },
  {
    files: ['kafka/**'],
    rules: { 'no-restricted-imports': ['error', { paths: restrict(levelDb, 'state/') }] },
  },
  {
    // kafkajs' values only through kafka/kafkajs.ts, which replaces its read_committed filter before it loads
    files: ['kafka/**'],
    ignores: ['kafka/kafkajs.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            ...restrict(levelDb, 'state/'),
            {
              name: 'kafkajs',
              allowTypeImports: true,
              message: "import kafkajs from './kafkajs.js' (its read_committed filter is replaced there)",
            },
          ],
        },
      ],
    },
  },
  {
    // plain Node scripts npm runs before anything is compiled (tools/native-client/postinstall.mjs)
    files: ['**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { console: 'readonly', process: 'readonly' },
    },
  },
  {
    files: ['state/**'],
    rules: { 'no-restricted-imports': ['error', { paths: restrict(kafkaClients, 'kafka/') }] },
  },
)
