// Package jsonata is a native Go implementation of the JSONata query and
// transformation language, following jsonata-js 2.x (the reference
// implementation AWS Step Functions embeds), plus the functions Step Functions
// adds ($partition, $range, $hash, $random with a seed, $uuid, $parse).
//
// Compile parses an expression once; Expr.Eval evaluates it against a jsonv
// value with optional variable bindings, a recursion limit, a time limit and
// context cancellation. Values going in and out are jsonv values (nil, bool,
// string, json.Number, []any, *jsonv.Object); internally numbers are float64
// and arrays carry JSONata's sequence flags.
//
// The package imports only the standard library and stepwise/engine/jsonv; it
// must not import the engine or anything above it.
package jsonata
