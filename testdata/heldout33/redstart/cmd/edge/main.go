//go:build js && wasm

// Command edge is the redstart Worker: SDK assignment and event endpoints
// and the tenant admin sign-in.
package main

import (
	"github.com/syumai/workers"

	"github.com/exptrack/redstart/internal/edge/api"
)

func main() {
	workers.Serve(api.Router())
}
