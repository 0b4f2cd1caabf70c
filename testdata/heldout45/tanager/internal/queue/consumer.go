//go:build js && wasm

// Package queue receives Cloudflare Queues batches. syumai/workers v0.27
// only ships a producer, so build/worker.mjs forwards its queue() export to
// the runQueue binding registered here.
package queue

import (
	"context"
	"fmt"
	"syscall/js"
	"time"
)

// Message is one delivered message; JSON bodies arrive re-serialized.
type Message struct {
	ID        string
	Body      string
	Attempts  int
	Timestamp time.Time

	raw js.Value
}

// Ack marks the message done even if the batch later fails.
func (m Message) Ack() { m.raw.Call("ack") }

// Retry asks for redelivery of this message only.
func (m Message) Retry() { m.raw.Call("retry") }

type Batch struct {
	Queue    string
	Messages []Message
}

type Handler func(ctx context.Context, b *Batch) error

// Consume registers h as the queue consumer. Call it before workers.Serve.
func Consume(h Handler) {
	binding := js.Global().Get("context").Get("binding")
	binding.Set("runQueue", js.FuncOf(func(_ js.Value, args []js.Value) any {
		if len(args) < 1 {
			panic(fmt.Errorf("runQueue: want batch argument, got %d args", len(args)))
		}
		b := decodeBatch(args[0])
		return promise(func() error { return h(context.Background(), b) })
	}))
}

func decodeBatch(v js.Value) *Batch {
	msgs := v.Get("messages")
	b := &Batch{Queue: v.Get("queue").String(), Messages: make([]Message, msgs.Length())}
	stringify := js.Global().Get("JSON").Get("stringify")
	for i := range b.Messages {
		m := msgs.Index(i)
		body := m.Get("body")
		text := ""
		if body.Type() == js.TypeString {
			text = body.String()
		} else {
			text = stringify.Invoke(body).String()
		}
		b.Messages[i] = Message{
			ID:        m.Get("id").String(),
			Body:      text,
			Attempts:  m.Get("attempts").Int(),
			Timestamp: time.UnixMilli(int64(m.Get("timestamp").Call("getTime").Float())),
			raw:       m,
		}
	}
	return b
}

func promise(run func() error) js.Value {
	var executor js.Func
	executor = js.FuncOf(func(_ js.Value, args []js.Value) any {
		defer executor.Release()
		resolve, reject := args[0], args[1]
		go func() {
			if err := run(); err != nil {
				reject.Invoke(js.Global().Get("Error").New(err.Error()))
				return
			}
			resolve.Invoke(js.Undefined())
		}()
		return js.Undefined()
	})
	return js.Global().Get("Promise").New(executor)
}
