import { envSchema } from 'env-schema';
import type { Static, TObject } from '@sinclair/typebox';

/** Thrown when the environment does not satisfy a service's configuration schema. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}

interface AjvIssue {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

function describeIssue(issue: AjvIssue, schema: TObject): string {
  const key =
    issue.keyword === 'required'
      ? String(issue.params['missingProperty'])
      : issue.instancePath.replace(/^\//, '');
  const description = (schema.properties[key] as { description?: string } | undefined)?.description;
  const problem = issue.keyword === 'required' ? 'is required but not set' : (issue.message ?? 'is invalid');
  return `${key} ${problem}${description ? ` (${description})` : ''}`;
}

/**
 * Reads and validates configuration once, at start-up. Every key of the schema carries a
 * description and, where one makes sense, a default; every problem is reported at once, each
 * naming its variable, so a bad deployment fails with one readable message.
 */
export function loadConfig<Schema extends TObject>(
  schema: Schema,
  env: NodeJS.ProcessEnv = process.env,
): Static<Schema> {
  try {
    // env-schema coerces the strings into the declared types and reports every bad key at once.
    // `env: false`: read only what we are given, so tests and tools can pass their own environment.
    return envSchema<Static<Schema>>({
      schema: structuredClone(schema),
      data: { ...env },
      env: false,
      dotenv: false,
    });
  } catch (error) {
    const issues = (error as { errors?: AjvIssue[] }).errors;
    if (!issues) throw error;
    throw new ConfigError(issues.map((issue) => describeIssue(issue, schema)));
  }
}
