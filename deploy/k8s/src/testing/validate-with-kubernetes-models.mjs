// Validates Kubernetes built-in resources with kubernetes-models (the Kubernetes OpenAPI schemas,
// compiled to validators, for the Kubernetes release the package tracks). A separate Node process
// because kubernetes-models ships ES modules only, which Jest's CommonJS runtime cannot import.
// Reads a JSON array of resources on stdin; writes a JSON array of
// { kind, name, error } (error undefined when valid, "no model" for kinds it does not know).
const input = JSON.parse(
  await new Promise((resolve) => {
    let text = '';
    process.stdin.on('data', (chunk) => (text += chunk));
    process.stdin.on('end', () => resolve(text));
  }),
);

/** apps/v1 -> kubernetes-models/apps/v1/<Kind>; v1 (the core group) -> kubernetes-models/v1/<Kind>. */
async function modelOf(apiVersion, kind) {
  try {
    const module = await import(`kubernetes-models/${apiVersion}/${kind}`);
    return module[kind];
  } catch (error) {
    if (error?.code === 'ERR_PACKAGE_PATH_NOT_EXPORTED' || error?.code === 'ERR_MODULE_NOT_FOUND')
      return undefined;
    throw error;
  }
}

const results = [];
for (const resource of input) {
  const Model = await modelOf(resource.apiVersion, resource.kind);
  let error;
  if (Model === undefined) error = 'no model';
  else {
    try {
      new Model(resource).validate();
    } catch (failure) {
      error = failure instanceof Error ? failure.message : String(failure);
    }
  }
  results.push({ kind: resource.kind, name: resource.metadata?.name, error });
}
process.stdout.write(JSON.stringify(results));
