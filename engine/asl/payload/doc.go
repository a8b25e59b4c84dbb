// Package payload compiles and evaluates payload templates: the JSON objects
// of Parameters, ResultSelector, ItemSelector and Map/Pass Parameters in which
// a key ending in ".$" holds a path ("$.x", "$$.x", "$var.x", "$") or an
// intrinsic function call whose value replaces it under the key without ".$".
//
// Templates are compiled once per definition and evaluated per state entry;
// sub-trees without dynamic keys are shared with the definition, not copied.
// Evaluation errors carry the AWS error name and cause (EvalError).
//
// The package imports only the standard library, stepwise/engine/jsonv,
// stepwise/engine/asl/jsonpath and stepwise/engine/asl/intrinsic. It must not
// import the engine or the rest of engine/asl.
package payload
