// Validate an AsyncAPI document with the official parser (parser-js), as AsyncAPI tools do:
// the document against the AsyncAPI JSON Schema of its version, and every message payload
// against its declared schemaFormat. Prints one JSON line per diagnostic; exit 1 on errors
// (severity 0), or when the document could not be parsed.
import { Parser, fromFile } from '@asyncapi/parser';

const file = process.argv[2];
const parser = new Parser();
const { document, diagnostics } = await fromFile(parser, file).parse();
for (const d of diagnostics) {
  console.log(JSON.stringify({ severity: d.severity, code: d.code, message: d.message, path: d.path }));
}
const errors = diagnostics.filter((d) => d.severity === 0);
process.exit(errors.length > 0 || !document ? 1 : 0);
