// Package projection keeps an event-sourced status timeline per stream (one
// stream per saved query run). Events are appended under time-ordered keys and
// a summary projection is folded from them; Rebuild recomputes the summary
// from the events alone.
package projection

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"example.com/quarry/internal/storage"
)

// Event is one status transition.
type Event struct {
	Stream string    `json:"stream"`
	Seq    int64     `json:"seq"`
	Status string    `json:"status"`
	Note   string    `json:"note,omitempty"`
	At     time.Time `json:"at"`
}

// Summary is the folded projection.
type Summary struct {
	Stream  string    `json:"stream"`
	Version int64     `json:"version"`
	Status  string    `json:"status"`
	History []string  `json:"history"`
	Updated time.Time `json:"updated"`
}

const maxHistory = 100

func fold(s Summary, ev Event) Summary {
	s.Stream = ev.Stream
	s.Version = ev.Seq
	s.Status = ev.Status
	line := ev.At.UTC().Format(time.RFC3339) + " " + ev.Status
	if ev.Note != "" {
		line += ": " + ev.Note
	}
	s.History = append(s.History, line)
	if len(s.History) > maxHistory {
		s.History = s.History[len(s.History)-maxHistory:]
	}
	s.Updated = ev.At
	return s
}

type Projector struct {
	kv          storage.Store
	eventPrefix string // e.g. "events/%s/"
	projFormat  string // e.g. "proj/%[1]s/%[2]s"
	pageBudget  int
	now         func() time.Time
}

func New(kv storage.Store, eventPrefix, projFormat string, pageBudget int) *Projector {
	return &Projector{kv: kv, eventPrefix: eventPrefix, projFormat: projFormat, pageBudget: pageBudget, now: time.Now}
}

func (p *Projector) key(stream, name string) string { return fmt.Sprintf(p.projFormat, stream, name) }

func (p *Projector) eventKey(ev Event) string {
	return fmt.Sprintf(p.eventPrefix, ev.Stream) + fmt.Sprintf("%020d", ev.Seq)
}

func (p *Projector) load(ctx context.Context, key string) (Summary, error) {
	raw, err := p.kv.Get(ctx, key)
	if errors.Is(err, storage.ErrNotFound) {
		return Summary{}, nil
	}
	if err != nil {
		return Summary{}, err
	}
	var s Summary
	if err := json.Unmarshal(raw, &s); err != nil {
		return Summary{}, fmt.Errorf("projection: decode %s: %w", key, err)
	}
	return s, nil
}

func (p *Projector) save(ctx context.Context, key string, s Summary) error {
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return p.kv.Put(ctx, key, b, storage.PutOptions{})
}

// Record appends a status event to stream and updates its summary.
func (p *Projector) Record(ctx context.Context, stream, status, note string) (sum Summary, err error) {
	key := p.key(stream, "summary")
	if sum, err = p.load(ctx, key); err != nil {
		return sum, err
	}
	defer func() {
		if err == nil {
			err = p.save(ctx, key, sum) // EXPECT kvrace
		}
	}()
	now := p.now().UTC()
	ev := Event{Stream: stream, Seq: now.UnixMicro(), Status: status, Note: note, At: now}
	b, err := json.Marshal(ev)
	if err != nil {
		return sum, err
	}
	if err = p.kv.Put(ctx, p.eventKey(ev), b, storage.PutOptions{}); err != nil {
		return sum, fmt.Errorf("projection: append: %w", err)
	}
	sum = fold(sum, ev)
	return sum, nil
}

// Summary returns the stored projection for stream.
func (p *Projector) Summary(ctx context.Context, stream string) (Summary, error) {
	return p.load(ctx, p.key(stream, "summary"))
}

// Rebuild recomputes a stream's summary from its events, recording progress
// so an interrupted rebuild can be inspected.
func (p *Projector) Rebuild(ctx context.Context, stream string) (Summary, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	keys, errc := storage.Keys(ctx, p.kv, fmt.Sprintf(p.eventPrefix, stream), p.pageBudget)
	ckpt := p.key(stream, "rebuild-checkpoint")
	sum := Summary{Stream: stream}
	for k := range keys {
		raw, err := p.kv.Get(ctx, k) // EXPECT kvlist
		if storage.IsNotFound(err) {
			continue
		}
		if err != nil {
			return Summary{}, err
		}
		var ev Event
		if err := json.Unmarshal(raw, &ev); err != nil {
			return Summary{}, fmt.Errorf("projection: decode %s: %w", k, err)
		}
		sum = fold(sum, ev)
		if err := p.kv.Put(ctx, ckpt, []byte(strconv.FormatInt(ev.Seq, 10)), storage.PutOptions{TTL: 24 * time.Hour}); err != nil { // EXPECT kvhotkey
			return Summary{}, err
		}
	}
	if err := <-errc; err != nil {
		return Summary{}, fmt.Errorf("projection: rebuild %s: %w", stream, err)
	}
	return sum, p.save(ctx, p.key(stream, "summary"), sum)
}
