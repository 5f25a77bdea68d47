import { AvroSchemaParser } from '@asyncapi/avro-schema-parser';
import { DiagnosticSeverity, Parser } from '@asyncapi/parser';

/**
 * Validates an AsyncAPI document with the AsyncAPI initiative's own parser and its Avro schema
 * parser (so each Avro payload is parsed as Avro, not only carried along). Resolves to the errors,
 * worded with their path; empty when the document is valid. Warnings (style hints) are not errors.
 */
export async function asyncApiErrors(document: unknown): Promise<string[]> {
  const parser = new Parser();
  parser.registerSchemaParser(AvroSchemaParser());
  const { diagnostics } = await parser.parse(JSON.stringify(document));
  return diagnostics
    .filter((diagnostic) => diagnostic.severity === DiagnosticSeverity.Error)
    .map((diagnostic) => `${diagnostic.path.join('.') || '(document)'}: ${diagnostic.message}`);
}
