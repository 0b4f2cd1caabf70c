//go:build js && wasm

// Command edge is the Worker entry point.
package main

import (
	"github.com/syumai/workers"

	"github.com/takahe-iot/takahe/internal/edge"
)

func main() {
	workers.Serve(edge.Handler())
}
