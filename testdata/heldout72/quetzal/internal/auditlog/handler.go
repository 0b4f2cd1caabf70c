// Package auditlog keeps the admin audit trail in KV. It is a slog.Handler:
// records whose message is an audit event ("site.deleted", "key.rotated") are
// stored, everything else is passed on to the next handler.
//
// Attributes with special meaning:
//
//	retention  slog.Duration  how long the record is kept (default: configured)
//	seq        int            explicit sequence number; replaces the time-based key
//	actor      string         who did it; part of the key
package auditlog

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/quetzal-analytics/quetzal/internal/kvstore"
)

// Handler writes audit records to KV.
type Handler struct {
	st        *kvstore.Store
	next      slog.Handler
	retention time.Duration
	attrs     []slog.Attr
	group     string
}

// NewHandler returns a Handler storing audit events in st and forwarding all
// records to next.
func NewHandler(st *kvstore.Store, next slog.Handler, retention time.Duration) *Handler {
	return &Handler{st: st, next: next, retention: retention}
}

// Enabled implements slog.Handler.
func (h *Handler) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelInfo || h.next.Enabled(ctx, l)
}

// WithAttrs implements slog.Handler.
func (h *Handler) WithAttrs(as []slog.Attr) slog.Handler {
	c := *h
	c.attrs = append(append([]slog.Attr(nil), h.attrs...), as...)
	c.next = h.next.WithAttrs(as)
	return &c
}

// WithGroup implements slog.Handler.
func (h *Handler) WithGroup(name string) slog.Handler {
	c := *h
	if c.group != "" {
		name = c.group + "." + name
	}
	c.group = name
	c.next = h.next.WithGroup(name)
	return &c
}

// Handle implements slog.Handler.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	if err := h.next.Handle(ctx, r); err != nil {
		return err
	}
	if !isAuditEvent(r.Message) {
		return nil
	}
	rec := record{Event: r.Message, At: r.Time.UTC(), Fields: map[string]any{}}
	retention := h.retention
	seq := int64(-1)
	visit := func(a slog.Attr) bool {
		switch a.Key {
		case "retention":
			if a.Value.Kind() == slog.KindDuration {
				retention = a.Value.Duration()
			}
		case "seq":
			seq = a.Value.Int64()
		case "actor":
			rec.Actor = a.Value.String()
		default:
			name := a.Key
			if h.group != "" {
				name = h.group + "." + name
			}
			rec.Fields[name] = a.Value.Resolve().Any()
		}
		return true
	}
	for _, a := range h.attrs {
		visit(a)
	}
	r.Attrs(visit)

	key := fmt.Sprintf("audit:%s:%s:%d", rec.At.Format("20060102"), rec.Event, rec.At.UnixNano())
	if seq >= 0 {
		key = fmt.Sprintf("audit:seq:%012d", seq)
	}
	if rec.Actor != "" {
		key += ":" + rec.Actor
	}
	body, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	if err := h.st.Put(ctx, key, body, retention); err != nil {
		return fmt.Errorf("audit %s: %w", rec.Event, err)
	}
	return h.st.PutPlain(ctx, "audit:latest", []byte(key), "") // DEBATABLE kvhotkey
}

type record struct {
	Event  string         `json:"event"`
	Actor  string         `json:"actor,omitempty"`
	At     time.Time      `json:"at"`
	Fields map[string]any `json:"fields,omitempty"`
}

// isAuditEvent reports whether msg looks like "noun.verb".
func isAuditEvent(msg string) bool {
	noun, verb, ok := strings.Cut(msg, ".")
	return ok && noun != "" && verb != "" && !strings.ContainsAny(msg, " :")
}

// Install makes a Handler the process-wide default logger and returns it.
func Install(st *kvstore.Store, next slog.Handler, retention time.Duration) *slog.Logger {
	logger := slog.New(NewHandler(st, next, retention))
	slog.SetDefault(logger)
	return logger
}
