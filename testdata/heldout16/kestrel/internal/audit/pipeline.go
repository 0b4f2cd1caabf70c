// Package audit records who did what in an organisation. Entries arrive
// from the queue consumer, pass through a pipeline of stages and are stored
// in compressed batches.
package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"example.com/kestrel/internal/keys"
	"example.com/kestrel/internal/store"
)

// Entry is one audit record.
type Entry struct {
	ID     string            `json:"id"`
	Org    string            `json:"org"`
	Actor  string            `json:"actor"`
	Action string            `json:"action"`
	Target string            `json:"target"`
	At     time.Time         `json:"at"`
	Meta   map[string]string `json:"meta,omitempty"`
}

func batchPrefix(org string) string { return keys.Join("audit", org) + "/" }
func headKey(org string) string     { return "audit-head/" + org }

// decode parses raw messages, reporting the ones it cannot read.
func decode(ctx context.Context, in <-chan []byte, bad func(error)) <-chan Entry {
	out := make(chan Entry)
	go func() {
		defer close(out)
		for raw := range in {
			var e Entry
			if err := json.Unmarshal(raw, &e); err != nil {
				bad(err)
				continue
			}
			if e.ID == "" {
				e.ID = keys.Token(8)
			}
			select {
			case out <- e:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}

// batch groups entries into slices of up to size.
func batch(in <-chan Entry, size int) <-chan []Entry {
	out := make(chan []Entry)
	go func() {
		defer close(out)
		var cur []Entry
		for e := range in {
			cur = append(cur, e)
			if len(cur) == size {
				out <- cur
				cur = nil
			}
		}
		if len(cur) > 0 {
			out <- cur
		}
	}()
	return out
}

// Pipeline stores the audit entries of one organisation.
type Pipeline struct {
	st        store.Store
	org       string
	retention time.Duration
	size      int
	log       *slog.Logger
}

// NewPipeline returns a pipeline for org.
func NewPipeline(st store.Store, org string, retention time.Duration, size int, log *slog.Logger) *Pipeline {
	if log == nil {
		log = slog.Default()
	}
	return &Pipeline{st: st, org: org, retention: retention, size: size, log: log}
}

// Run drains raw until it is closed or ctx ends.
func (p *Pipeline) Run(ctx context.Context, raw <-chan []byte) error {
	stop := context.AfterFunc(ctx, func() {
		p.log.Warn("audit pipeline cancelled", "org", p.org, "cause", context.Cause(ctx))
	})
	defer stop()
	bad := func(err error) { p.log.Warn("audit entry dropped", "org", p.org, "err", err) }
	return p.persist(ctx, batch(decode(ctx, raw, bad), p.size))
}

func (p *Pipeline) persist(ctx context.Context, in <-chan []Entry) error {
	var firstErr error
	for b := range in {
		if firstErr != nil {
			continue // drain so upstream stages can exit
		}
		val, err := encodeBatch(b)
		if err != nil {
			firstErr = err
			continue
		}
		key := batchPrefix(p.org) + fmt.Sprintf("%016x-%s", b[0].At.UnixNano(), keys.Token(4))
		if err := p.st.Put(ctx, key, val, p.retention); err != nil {
			firstErr = err
			continue
		}
		if err := p.st.Put(ctx, headKey(p.org), key, 0); err != nil { // EXPECT kvhotkey
			firstErr = err
		}
	}
	return firstErr
}
