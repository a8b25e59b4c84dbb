// Package engine runs Amazon States Language state machines the way AWS Step
// Functions does: the domain types (StateMachine, Execution, HistoryEvent,
// MapRun, Error with codes), the interpreter core (a pure step from execution
// state and an incoming event to new state, history events and effects), the
// runtime shell (group commit, timers, task dispatch, callbacks, recovery)
// and the interfaces it is built on (Store, Clock, Integration, Publisher).
//
// Both query languages run here: JSONPath (paths, payload templates and
// intrinsic functions from engine/asl/...) and JSONata (engine/jsonata),
// chosen per state; variables (Assign) work in both.
//
// The package must not import server, views, echo, templ or websocket code, nor
// any storage driver: storage lives behind Store (engine/sqlite implements it;
// NewMemStore is the in-memory implementation for tests and EXPRESS).
package engine
