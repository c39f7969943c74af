// Lint for cellkit: typescript-eslint's recommended rules (not type-checked, to stay fast),
// a line-length limit, and the rule that keeps the three rooms apart (docs/development.md
// "Lint and rooms"): CDK constructs, code that runs in AWS, operator CLI commands.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

// Code bundled into a Lambda function: every handler folder, and the modules those handlers import
// from outside it (test/lint/rooms.test.ts bundles each handler and fails if one is missing here).
export const HANDLER_FILES = [
  'lib/**/handler/**/*.ts',
  'lib/lambda/cfn-response.ts',
  'lib/lambda/rotation-event.ts',
  'lib/vault/bootstrap/vault-plan.ts',
  'lib/guard/region-check.ts',
  'lib/guard/guard-role.ts',
  'lib/keys/key-alias.ts',
];

const CDK_PATTERNS = [
  {
    group: ['aws-cdk-lib', 'aws-cdk-lib/*', 'constructs', 'constructs/*', 'cdk-nag', 'cdk-nag/*', '@cdklabs/*'],
    message: 'Code that runs in AWS (Lambda handlers) must not import CDK: keep it in its own room (docs/development.md).',
  },
];
const CLI_PATTERNS = [
  {
    group: ['**/cli', '**/cli/*', '!@aws-sdk/**'],
    message: 'Operator CLI modules (lib/cli/) are imported only by bin/ and lib/cli/ (docs/development.md "Lint and rooms").',
  },
];

export default defineConfig(
  { ignores: ['node_modules/**', 'cdk.out/**', 'evidence/**', '**/*.js', '**/*.mjs', '**/*.d.ts'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      'max-len': ['error', {
        code: 160,
        ignoreUrls: true,
        ignoreStrings: true,
        ignoreTemplateLiterals: true,
        ignoreRegExpLiterals: true,
      }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  // Constructs and shared library code may not reach into the operator CLI.
  {
    files: ['lib/**/*.ts'],
    ignores: ['lib/cli/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: CLI_PATTERNS }] },
  },
  // Code that runs in AWS may import neither CDK nor the CLI.
  {
    files: HANDLER_FILES,
    rules: { 'no-restricted-imports': ['error', { patterns: [...CDK_PATTERNS, ...CLI_PATTERNS] }] },
  },
  // Tests read synthesized CloudFormation templates and SDK mocks, which are untyped JSON.
  { files: ['test/**/*.ts'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
  // The bench times each module's load separately, which takes require() at the point of use.
  { files: ['bench/**/*.ts'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
);
