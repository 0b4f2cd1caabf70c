//go:build js && wasm

// Command worker is the trivia game's Cloudflare Worker.
package main

import (
	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"

	"whimbrel/internal/config"
	"whimbrel/internal/game"
)

func main() {
	cfg := config.Load(cloudflare.Getenv)
	srv, err := game.NewServer(cfg)
	if err != nil {
		panic(err)
	}
	workers.Serve(srv.Routes())
}
