// Package flash keeps one-shot messages for the visitor's next page view.
package flash

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"time"

	"github.com/toutouwai/booking/internal/kvstore"
	"github.com/toutouwai/booking/internal/ui"
)

// Kind is the style of a message.
type Kind string

const (
	Success Kind = "success"
	Info    Kind = "info"
	Error   Kind = "error"
)

// Message is one flash message.
type Message struct {
	Kind Kind   `json:"k"`
	Text string `json:"t"`
}

// ttl is how long an unseen message waits for the next request.
const ttl = 10 * time.Minute

func key(sid string) string { return "flash:" + sid }

// Set replaces the visitor's pending messages with m.
func Set(ctx context.Context, ns *kvstore.Namespace, sid string, m Message) error {
	b, err := json.Marshal([]Message{m})
	if err != nil {
		return err
	}
	return ns.PutTTL(ctx, key(sid), b, ttl)
}

// Add queues m after any messages the visitor has not seen yet.
func Add(ctx context.Context, ns *kvstore.Namespace, sid string, m Message) error {
	var pending []Message
	raw, err := ns.Get(ctx, key(sid))
	switch {
	case errors.Is(err, kvstore.ErrNotFound):
	case err != nil:
		return err
	default:
		if err := json.Unmarshal(raw, &pending); err != nil {
			pending = nil
		}
	}
	pending = append(pending, m)
	b, err := json.Marshal(pending)
	if err != nil {
		return err
	}
	return ns.PutTTL(ctx, key(sid), b, ttl) // EXPECT kvrace
}

// Pop returns the pending messages and clears them.
func Pop(ctx context.Context, ns *kvstore.Namespace, sid string) ([]Message, error) {
	if sid == "" {
		return nil, nil
	}
	raw, err := ns.Get(ctx, key(sid))
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var msgs []Message
	if err := json.Unmarshal(raw, &msgs); err != nil {
		return nil, err
	}
	if err := ns.Delete(ctx, key(sid)); err != nil {
		return msgs, err
	}
	return msgs, nil
}

// List renders messages popped for this request. The loader runs when the
// component renders, so a page that errors before rendering keeps them.
func List(ns *kvstore.Namespace, sid string) ui.Component {
	return ui.Func(func(ctx context.Context, w io.Writer) error {
		msgs, err := Pop(ctx, ns, sid)
		if err != nil {
			return nil
		}
		for _, m := range msgs {
			if err := ui.Rawf(`<div class="flash flash-%s" role="status">%s</div>`, string(m.Kind), m.Text).Render(ctx, w); err != nil {
				return err
			}
		}
		return nil
	})
}
