// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'proto/gen/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { project: './tsconfig.check.json', tsconfigRootDir: import.meta.dirname } },
    rules: {
      // STYLE.md: every promise is awaited or owned by a supervisor.
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
    // The pure cores (STYLE.md): no clocks, no randomness, no I/O.
    files: [
      'coordinator/swim/**',
      'coordinator/render/**',
      '**/policy.ts',
      '**/policy-config.ts',
      '**/policy-io.ts',
      '**/plan.ts',
      '**/join-plan.ts',
      'proto/common/backoff.ts',
      'proto/common/diff.ts',
      'coordinator/reports/store.ts',
      'coordinator/reports/events.ts',
      'agent/manifests/parse.ts',
      'agent/manifests/bounded-yaml.ts',
      'agent/manifests/manifest-name.ts',
      'agent/manifests/pod-schema.ts',
      'agent/manifests/pod-summary.ts',
      'agent/manifests/problems.ts',
      'agent/manifests/static-pod-rules.ts',
      'agent/manifests/history-index.ts',
      'coordinator/etcd/render.ts',
      'coordinator/etcd/preflight.ts',
      'coordinator/controlplane/render.ts',
      'coordinator/controlplane/flags.ts',
      'coordinator/controlplane/flag-names.ts',
      'coordinator/balancer/haproxy-config.ts',
      'coordinator/balancer/haproxy-manifest.ts',
      'coordinator/controlplane/rollout-plan.ts',
    ],
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
    files: ['eslint.config.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);
