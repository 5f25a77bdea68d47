// What other tools may reuse from the chaos suite: infrastructure of its own that can be broken.
export { PrivateInfrastructure } from './private-infrastructure';
export { PrivatePostgres } from './private-postgres';
