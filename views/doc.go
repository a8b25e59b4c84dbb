// Package views holds Stepwise's web pages as templ components. Handlers
// fill plain view-model structs (models.go) and render them; every user
// string goes through templ's escaping, and no page has inline scripts.
//
// It must not import server, echo or the engine's runtime; it may import
// static, designer and engine types.
package views
