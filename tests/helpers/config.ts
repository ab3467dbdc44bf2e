import { expect } from 'vitest';
import { ConfigError, loadConfig, type Env } from '../../src/config.js';

/** The problems loadConfig reports for `env` (none when it loads). */
export function configProblems(env: Env): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  return [];
}
