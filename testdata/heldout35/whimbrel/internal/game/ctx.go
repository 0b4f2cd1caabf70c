//go:build js && wasm

package game

import "context"

func ctxBackground() context.Context { return context.Background() }
