// Package static embeds the built front-end bundle (dist/, produced from
// src/ by build.mjs and committed, so go build needs no Node) and serves it
// under content-hashed URLs that can be cached forever.
//
// It imports only the standard library.
package static
