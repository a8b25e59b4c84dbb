// Package httptask is the HTTP task integration
// (arn:aws:states:::http:invoke) with AWS's parameters and result shape,
// connections from a registry that hold credentials, and Guard: the
// outbound dialer that refuses loopback, private, link-local, metadata and
// other non-public addresses — checked on the resolved address at dial
// time, so redirects, DNS rebinding and odd IP spellings are covered —
// unless an allow-list permits them. The function integration reuses Guard.
//
// It imports engine, engine/jsonv and engine/registry; it must not import
// server, views or a storage driver.
package httptask
