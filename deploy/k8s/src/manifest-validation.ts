import { execFile } from 'node:child_process';
import { join } from 'node:path';

import Ajv, { type ValidateFunction } from 'ajv';

import type { KubernetesResource } from './kustomize-renderer';
import type { CustomResourceSchema } from './testing/strimzi-schemas';

/** What validating one resource found: nothing, or what is wrong with it. */
export interface ValidationResult {
  readonly resource: string;
  readonly problem: string | undefined;
}

/**
 * Validates every resource against its schema: Kubernetes' own kinds with kubernetes-models (the
 * Kubernetes OpenAPI schemas as validators; types, required fields and enumerations, but not
 * unknown fields), Strimzi's kinds with Ajv against Strimzi's CRD schemas, checked the way the API
 * server does with strict field validation (an unknown field is an error). A kind neither knows is
 * a problem too: nothing goes unvalidated.
 */
export async function validateResources(
  resources: readonly KubernetesResource[],
  customResourceSchemas: readonly CustomResourceSchema[],
): Promise<ValidationResult[]> {
  const custom = new Map<string, ValidateFunction>(
    customResourceSchemas.map((crd) => [`${crd.apiVersion}/${crd.kind}`, compileStrict(crd.schema)]),
  );
  const builtIn = resources.filter((resource) => !custom.has(`${resource.apiVersion}/${resource.kind}`));
  // The child answers in the order it was given the resources.
  const builtInResults = await validateWithKubernetesModels(builtIn);
  const builtInProblem = new Map(
    builtIn.map((resource, index) => [resource, builtInResults[index]?.error] as const),
  );
  return resources.map((resource) => {
    const name = `${resource.kind} ${resource.metadata.name}`;
    const validate = custom.get(`${resource.apiVersion}/${resource.kind}`);
    if (validate !== undefined) {
      return {
        resource: name,
        problem: validate(resource as unknown)
          ? undefined
          : new Ajv().errorsText(validate.errors, { dataVar: resource.kind }),
      };
    }
    const problem = builtInProblem.get(resource);
    return {
      resource: name,
      problem: problem === 'no model' ? `no schema for ${resource.apiVersion} ${resource.kind}` : problem,
    };
  });
}

/**
 * A CRD schema as the API server applies it under strict field validation: an object schema that
 * lists its properties accepts no others unless it says `x-kubernetes-preserve-unknown-fields`.
 * The x-kubernetes-* extensions are declared as keywords so that Ajv's strict mode still catches
 * a schema keyword it does not know.
 */
export function compileStrict(schema: Record<string, unknown>): ValidateFunction {
  const extensions = new Set<string>();
  const strict = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(strict);
    if (typeof node !== 'object' || node === null) return node;
    const copy: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
      if (key.startsWith('x-kubernetes-')) extensions.add(key);
      // `properties` and `definitions` map names to schemas: their keys are not keywords.
      copy[key] = key === 'properties' ? mapValues(value, strict) : strict(value);
    }
    const closed =
      copy['type'] === 'object' &&
      copy['properties'] !== undefined &&
      copy['additionalProperties'] === undefined &&
      copy['x-kubernetes-preserve-unknown-fields'] !== true;
    return closed ? { ...copy, additionalProperties: false } : copy;
  };
  const closedSchema = strict(schema) as Record<string, unknown>;
  // `example` is an OpenAPI annotation (CRD schemas are OpenAPI v3), not a JSON Schema keyword.
  // strictTypes is off: Kubernetes quantities are `anyOf: [integer, string]` with a string
  // `pattern` beside the anyOf, a shape Ajv's type strictness flags although it validates right.
  const ajv = new Ajv({
    allErrors: true,
    strict: true,
    strictTypes: false,
    keywords: [...extensions, 'example'],
  });
  return ajv.compile(closedSchema);
}

function mapValues(value: unknown, map: (node: unknown) => unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, map(child)]));
}

interface ModelResult {
  readonly error: string | undefined;
}

async function validateWithKubernetesModels(
  resources: readonly KubernetesResource[],
): Promise<ModelResult[]> {
  const script = join(__dirname, 'testing', 'validate-with-kubernetes-models.mjs');
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [script],
      { maxBuffer: 64 << 20, timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${script} failed: ${error.message}\n${stderr}`));
        else resolve(JSON.parse(stdout) as ModelResult[]);
      },
    );
    child.stdin?.end(JSON.stringify(resources));
  });
}
