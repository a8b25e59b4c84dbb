// Package designer turns ASL documents into diagrams (nodes, edges,
// containers) and applies the canvas's edit operations to the document.
//
// It may import engine/asl and engine/jsonv, never the server, echo, templ or
// websocket packages.
package designer
