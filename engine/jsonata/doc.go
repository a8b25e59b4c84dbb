// Package jsonata is a native Go implementation of the JSONata query and
// transformation language, following jsonata-js 2.x (the reference
// implementation AWS Step Functions embeds, at 2.0.6), including the 2.1
// operators ?? and ?:, plus the functions Step Functions adds ($partition,
// $range, $hash, $random with a seed, $uuid, $parse).
//
// Compile parses an expression once; Expr.Eval evaluates it against a jsonv
// value with optional variable bindings. Values going in and out are jsonv
// values (nil, bool, string, json.Number, []any, *jsonv.Object); internally
// numbers are float64 and arrays carry JSONata's sequence flags. Numbers
// leave formatted as JavaScript prints them (integers without ".0", 1e+21
// style exponents). JSONata undefined is reported by Eval's defined result,
// distinct from JSON null.
//
// Errors are *Error values carrying the reference implementation's codes and
// message wording (S0xxx while compiling, T/D codes while evaluating).
// Evaluation is bounded: Options.MaxDepth limits the nesting of evaluation
// (U1001; a non-tail recursive call costs about three levels, tail calls
// none), Options.Timeout and the context's deadline limit wall-clock time
// (U1002), canceling the context stops evaluation (U1003), and strings and
// arrays are capped in size (U1004) so that repeated doubling cannot exhaust
// memory first.
//
// Options.AWS selects the Step Functions dialect: $eval is removed and the
// AWS functions are added; without it the package behaves like jsonata-js.
//
// Known differences from jsonata-js: regular expressions run on Go's RE2, so
// look-around assertions and back-references are rejected at compile time
// (S0303); strings are UTF-8, so a lone UTF-16 surrogate cannot be
// represented; $uuid, $random and $shuffle use Go's generators.
//
// The package imports only the standard library and stepwise/engine/jsonv; it
// must not import the engine or anything above it.
package jsonata
