// Lint: eslint's and typescript-eslint's recommended rules over the sources, tests, benches and bin.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import { defineConfig } from 'eslint/config';

export default defineConfig(
  { ignores: ['dist/', 'node_modules/', 'test/fixtures/', 'test/golden/'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2022, sourceType: 'module', globals: { ...globals.node } },
    rules: {
      // `const { secret: _secret, ...rest } = value` is how the code leaves a property out of a copy.
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
    },
  },
  // bin/provision is an ES module without an extension; naming it here makes `eslint .` lint it.
  { files: ['bin/provision'] },
);
