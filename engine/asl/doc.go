// Package asl is the Amazon States Language: the model of a state machine
// definition (both query languages, JSONPath and JSONata), a parser for JSON
// and YAML that keeps the source position of every key, and a validator that
// reports diagnostics with AWS's ValidateStateMachineDefinition codes, a JSON
// pointer and line:column.
//
// Parse is the entry point for text. It returns the model whenever the
// document is structurally decodable, together with every error and warning
// found. ParseValue takes a definition already decoded into jsonv values (the
// designer's document) and answers exactly what Parse of its compact encoding
// would, without writing and then re-reading that text. ParseValueFrom
// answers the same for a definition derived from one it validated before,
// re-checking only the states whose objects changed (the designer's edits).
//
// The package depends on the standard library, engine/jsonv, the YAML
// decoder and its sibling syntax packages (jsonpath, intrinsic) and
// engine/jsonata. It must not import echo, templ, websocket, server or
// engine: they all build on it.
package asl
