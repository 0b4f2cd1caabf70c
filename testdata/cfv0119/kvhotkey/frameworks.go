package kvhotkey

import (
	"context"
	"net/http"
	"time"

	"kvlint.test/cfv0119/kvhotkey/pairs"
)

// webContext is how a web framework such as echo hands a handler the
// request it serves: behind an interface.
type webContext interface {
	Request() *http.Request
	Param(name string) string
	NoContent(code int) error
}

type pingHandler struct{ kv *pairs.Store }

// Ping runs on every request to the ping route.
func (h *pingHandler) Ping(c webContext) error { // want Ping:"kvhotkey"
	if err := h.kv.Put(c.Request().Context(), pairs.Entry{Key: "ping:last", Value: []byte(time.Now().Format(time.RFC3339))}); err != nil { // want `this handler writes the same KV key on every request`
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// Quiet: each device's own key.
func (h *pingHandler) Device(c webContext) error {
	return h.kv.Put(c.Request().Context(), pairs.Entry{Key: "ping:" + c.Param("id"), Value: []byte("1"), TTL: 300})
}

// clock is no request: Tick is a job's, run once a minute.
type clock interface {
	Now() time.Time
}

// Quiet: a job's tick, not a request.
func (h *pingHandler) Tick(c clock) error {
	return h.kv.Put(context.Background(), pairs.Entry{Key: "ping:last-tick", Value: []byte(c.Now().Format(time.RFC3339))})
}
