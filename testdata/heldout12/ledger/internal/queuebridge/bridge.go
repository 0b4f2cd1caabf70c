//go:build js && wasm

// Package queuebridge exposes a queue() entry point to the JavaScript shim.
// The pinned SDK only ships a producer, so the shim calls
// context.binding.handleQueueBatch(batch) and awaits the returned promise.
package queuebridge

import (
	"context"
	"fmt"
	"syscall/js"

	"example.com/ledger/internal/queueconsumer"
)

// Handler processes one batch.
type Handler func(ctx context.Context, msgs []queueconsumer.Message) error

var (
	handler Handler
	done    = make(chan struct{})
)

// ConsumeNonBlock registers h; call workers.Ready afterwards.
func ConsumeNonBlock(h Handler) {
	handler = h
	binding := js.Global().Get("context").Get("binding")
	fn := js.FuncOf(func(_ js.Value, args []js.Value) any {
		if len(args) != 1 {
			panic(fmt.Errorf("handleQueueBatch: want 1 argument, got %d", len(args)))
		}
		batch := args[0]
		var cb js.Func
		cb = js.FuncOf(func(_ js.Value, p []js.Value) any {
			defer cb.Release()
			resolve, reject := p[0], p[1]
			go func() {
				if err := run(batch); err != nil {
					reject.Invoke(js.Global().Get("Error").New(err.Error()))
					return
				}
				resolve.Invoke(js.Undefined())
			}()
			return js.Undefined()
		})
		return js.Global().Get("Promise").New(cb)
	})
	binding.Set("handleQueueBatch", fn)
}

// Done is closed never; it exists for symmetry with workers.Done.
func Done() <-chan struct{} { return done }

func run(batch js.Value) error {
	if handler == nil {
		return fmt.Errorf("queuebridge: no handler registered")
	}
	jsMsgs := batch.Get("messages")
	msgs := make([]queueconsumer.Message, jsMsgs.Length())
	for i := range msgs {
		m := jsMsgs.Index(i)
		msgs[i] = queueconsumer.Message{
			ID:       m.Get("id").String(),
			Body:     []byte(js.Global().Get("JSON").Call("stringify", m.Get("body")).String()),
			Attempts: m.Get("attempts").Int(),
			Ack:      func() { m.Call("ack") },
			Retry:    func() { m.Call("retry") },
		}
	}
	return handler(context.Background(), msgs)
}
