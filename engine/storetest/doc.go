// Package storetest is the conformance suite every engine.Store
// implementation runs: storetest.Run(t, newStore). It imports only engine and
// the standard library; it must not import a store implementation.
package storetest
