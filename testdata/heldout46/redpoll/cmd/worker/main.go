//go:build js && wasm

// Command worker is the Redpoll Jobs edge Worker.
package main

import (
	"github.com/syumai/workers"

	"github.com/redpoll-jobs/redpoll/internal/config"
	"github.com/redpoll-jobs/redpoll/internal/edge"
)

func main() {
	workers.Serve(&edge.Handler{Cfg: config.Defaults(), Binding: "REDPOLL"})
}
