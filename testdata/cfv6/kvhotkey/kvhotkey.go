// Package kvhotkey holds kvhotkey's cases on the generated cloudflare-go/v6.
package kvhotkey

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

type syncer struct {
	client  *cloudflare.Client
	account string
	ns      string
}

func (s *syncer) put(ctx context.Context, key, value string) error {
	_, err := s.client.KV.Namespaces.Values.Update(ctx, s.ns, key, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.account),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
	})
	return err
}

// A sync status rewritten after each record.
func (s *syncer) sync(ctx context.Context, records map[string]string) error { // want sync:"kvhotkey"
	done := 0
	for id, rec := range records {
		if err := s.put(ctx, "record:"+id, rec); err != nil {
			return err
		}
		done++
		if err := s.put(ctx, "sync:status", strconv.Itoa(done)); err != nil { // want `this loop writes the same KV key on every iteration`
			return err
		}
	}
	return nil
}

// Quiet: the status written once, after the loop.
func (s *syncer) syncOnce(ctx context.Context, records map[string]string) error {
	for id, rec := range records {
		if err := s.put(ctx, "record:"+id, rec); err != nil {
			return err
		}
	}
	return s.put(ctx, "sync:status", strconv.Itoa(len(records)))
}

type event struct{ ID, Body string }

// A writer goroutine drains a queue of events: a receive from it is no
// pacing, and the latest-event key is written once per event.
func (s *syncer) drain(ctx context.Context, events <-chan event) { // want drain:"kvhotkey"
	for ev := range events {
		_ = s.put(ctx, "event:"+ev.ID, ev.Body)
		_ = s.put(ctx, "events:latest", ev.ID) // want `this loop writes the same KV key on every iteration`
	}
}

// Quiet: the same key, written on a ticker's beat of a minute, with the
// events in between only counted.
func (s *syncer) report(ctx context.Context, events <-chan event, tick <-chan time.Time) {
	n := 0
	for {
		select {
		case <-events:
			n++
		case <-tick:
			_ = s.put(ctx, "events:count", strconv.Itoa(n))
		}
	}
}

// A flush closure, called for every batch, writes its progress key each
// time.
func (s *syncer) importAll(ctx context.Context, rows []event) error { // want importAll:"kvhotkey"
	var batch []event
	flush := func() error {
		for _, ev := range batch {
			_ = s.put(ctx, "event:"+ev.ID, ev.Body)
		}
		batch = batch[:0]
		return s.put(ctx, "import:progress", strconv.Itoa(len(rows))) // want `this loop writes the same KV key on every iteration`
	}
	for _, r := range rows {
		batch = append(batch, r)
		if len(batch) == 100 {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// Quiet: each flush writes the next part, which the closure counts up.
func (s *syncer) exportParts(ctx context.Context, day string, rows []event) error {
	var chunk []string
	part := 0
	flush := func() error {
		b := strings.Join(chunk, "\n")
		if err := s.put(ctx, fmt.Sprintf("export:%s:%04d", day, part), b); err != nil {
			return err
		}
		part++
		chunk = chunk[:0]
		return nil
	}
	for _, r := range rows {
		chunk = append(chunk, r.Body)
		if len(chunk) == 100 {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

type exporter struct {
	client  *cloudflare.Client
	account string
	ns      string
}

// A receiver that a closure captures lives in a variable: the
// namespace read from it in the loop is still the same each time.
func (e *exporter) export(ctx context.Context, names []string) { // want export:"kvhotkey"
	label := func(n int) string { return e.ns + ": " + strconv.Itoa(n) + " exported" }
	for i := range names {
		_, _ = e.client.KV.Namespaces.Values.Update(ctx, e.ns, "export:progress", kv.NamespaceValueUpdateParams{ // want `this loop writes the same KV key on every iteration`
			AccountID: cloudflare.F(e.account),
			Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(label(i))),
		})
	}
}
