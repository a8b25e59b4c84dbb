// Package intrinsic parses and evaluates the intrinsic functions of the Amazon
// States Language (JSONPath mode): States.Format, States.StringToJson,
// States.JsonToString, States.Array and the other States.* calls that may
// appear as the value of a ".$" key in Parameters, ResultSelector, ItemSelector
// and Assign, or in a Fail state's ErrorPath/CausePath.
//
// Calls are compiled once (Parse, which checks names, arity and the types of
// literal arguments the way AWS does at definition time) and evaluated many
// times (Call.Eval). Behavior follows the executions recorded against real
// AWS: States.Format prints objects the Java way ({a=1, b=[]}), States.MathAdd
// rounds each argument half-up, States.StringSplit treats its delimiter as a
// set of characters, States.JsonMerge returns its keys in Java HashMap order,
// and a seeded States.MathRandom uses java.util.Random.
//
// The package imports only the standard library, stepwise/engine/jsonv and
// stepwise/engine/asl/jsonpath. It must not import the engine or the rest of
// engine/asl.
package intrinsic
