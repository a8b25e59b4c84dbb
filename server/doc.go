// Package server is Stepwise's HTTP edge: the echo application with the
// AWS Step Functions JSON 1.0 API at POST /, the web pages rendered with
// templ, the embedded static bundle, /healthz and Prometheus /metrics.
//
// The server talks to the engine only through the consumer-side Engine
// interface defined here (and the optional interfaces for later features),
// so it can be tested with a fake. The engine packages must never import
// server; server must not import cmd.
package server
