// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import pureCores from './pure-cores.cjs';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'proto/gen/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { project: './tsconfig.check.json', tsconfigRootDir: import.meta.dirname } },
    rules: {
      // Every promise is awaited or owned by a supervisor (docs/architecture.md, "Pure cores and thin shells").
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', name: ['test', 'it', 'describe', 'suite'], package: 'node:test' }] },
      ],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': 'off',
    },
  },
  {
    // The pure cores (pure-cores.cjs): no clocks, no randomness, no I/O.
    files: pureCores,
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: 'pure code takes nowMs from its input' },
        { selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']", message: 'pure code takes an injected Rng' },
        { selector: "CallExpression[callee.name='setTimeout']", message: 'pure code returns wakeAtMs; the shell arms timers' },
      ],
      'no-restricted-imports': ['error', { patterns: ['node:*', 'chokidar', 'winston', '@grpc/*', 'systeminformation'] }],
    },
  },
  {
    files: ['eslint.config.js', '*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // The rule files at the root (pure-cores.cjs, .dependency-cruiser.cjs) are CommonJS, as dependency-cruiser loads them.
    files: ['*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
