// Package jsonpath compiles and evaluates the JSONPath expressions of the
// Amazon States Language in JSONPath mode: InputPath, OutputPath, ItemsPath,
// the "$"-valued keys of payload templates, Choice variables and ResultPath.
//
// AWS Step Functions evaluates paths with Jayway JsonPath (Java), so this
// package follows Jayway's semantics and error texts: a definite path that
// matches nothing fails with Jayway's "No results for path: $['a']", an
// indefinite path (wildcards, filters, slices, unions, deep scan) returns the
// list of its matches, possibly empty. Reference paths (ParseReference) are the
// definite subset AWS allows in ResultPath; Set applies ResultPath semantics.
//
// Paths are compiled once (Parse) and evaluated many times; Get on a simple
// definite path does not allocate. Values are stepwise/engine/jsonv values and
// are never modified: Set copies the containers it changes.
//
// The package imports only the standard library and stepwise/engine/jsonv. It
// must not import the engine, the rest of engine/asl, or any I/O package.
package jsonpath
