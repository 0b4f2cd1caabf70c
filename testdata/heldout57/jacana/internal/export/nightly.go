// Package export runs the nightly progress export: it scans every learner's
// progress record in KV, writes the day's file to object storage and records
// the run.
package export

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"log"
	"slices"
	"strconv"
	"time"

	"github.com/lingofox/jacana/internal/calendar"
	"github.com/lingofox/jacana/internal/kvstore"
	"github.com/lingofox/jacana/internal/pick"
)

// Progress is a learner's progress record as the Worker writes it.
type Progress struct {
	Learner   string    `json:"learner"`
	Course    string    `json:"course"`
	Completed int       `json:"completed"`
	XP        int       `json:"xp"`
	UpdatedAt time.Time `json:"updated_at"`
	Stale     bool      `json:"-"`
}

// Sink receives the export file.
type Sink interface {
	Write(ctx context.Context, name string, data []byte) error
}

// Run kinds.
const (
	KindNightly  = "nightly"
	KindManual   = "manual"
	KindBackfill = "backfill"
)

// Exporter runs exports.
type Exporter struct {
	KV       *kvstore.Store
	Sink     Sink
	Loc      *time.Location
	MaxPages int

	onExit []func(context.Context) error
}

// AtExit registers fn to run when Close is called; functions run in reverse
// order of registration.
func (e *Exporter) AtExit(fn func(context.Context) error) { e.onExit = append(e.onExit, fn) }

// Close runs the exit functions. They run on a context that is not cancelled
// by shutdown, so the writes finish.
func (e *Exporter) Close(ctx context.Context) error {
	ctx = context.WithoutCancel(ctx)
	var errs []error
	for _, fn := range slices.Backward(e.onExit) {
		errs = append(errs, fn(ctx))
	}
	e.onExit = nil
	return errors.Join(errs...)
}

const (
	lockKey       = "lock:export:nightly"
	checkpointKey = "export:checkpoint"
	historyKey    = "export:history"
	statusKey     = "export:status"
	lockTTL       = 2 * time.Hour
)

// Run performs one export of the given kind.
func (e *Exporter) Run(ctx context.Context, kind string, day time.Time) error {
	if _, err := e.KV.Get(ctx, lockKey); err == nil {
		return fmt.Errorf("export already running")
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	if err := e.KV.Put(ctx, lockKey, strconv.FormatInt(time.Now().Unix(), 10), lockTTL); err != nil { // EXPECT kvrace
		return err
	}
	e.AtExit(func(ctx context.Context) error { return e.KV.Delete(ctx, lockKey) })

	var ttl time.Duration
	switch kind {
	case KindBackfill:
		ttl = 7 * 24 * time.Hour
		fallthrough
	case KindManual:
		ttl = max(ttl, 24*time.Hour)
	default:
		ttl = time.Until(calendar.EndOfDay(day, e.Loc).Add(6 * time.Hour))
		ttl = max(ttl, time.Hour)
	}

	var buf bytes.Buffer
	next, stop := iter.Pull2(e.KV.Pages(ctx, "progress:", pick.FirstNonZero(e.MaxPages, 200)))
	defer stop()
	rows := 0
	for page := 0; ; page++ {
		keys, err, ok := next()
		if !ok {
			break
		}
		if err != nil {
			return err
		}
		batch, err := e.load(ctx, keys)
		if err != nil {
			return err
		}
		for i := range batch {
			p := &batch[i]
			p.Stale = time.Since(p.UpdatedAt) > 90*24*time.Hour
			if p.Stale {
				continue
			}
			line, _ := json.Marshal(p)
			buf.Write(line)
			buf.WriteByte('\n')
			rows++
		}
		if len(keys) > 0 {
			cp := keys[len(keys)-1].Name
			if err := e.KV.Put(ctx, checkpointKey, cp, ttl); err != nil { // EXPECT kvhotkey
				return err
			}
		}
	}

	name := fmt.Sprintf("progress/%s/%s.jsonl", kind, day.Format("2006-01-02"))
	if err := e.Sink.Write(ctx, name, buf.Bytes()); err != nil {
		return err
	}
	e.AtExit(func(ctx context.Context) error {
		st, _ := json.Marshal(map[string]any{"file": name, "rows": rows, "at": time.Now().UTC()})
		return e.KV.Put(ctx, statusKey, string(st), time.Until(calendar.EndOfDay(time.Now(), e.Loc))) // EXPECT kvttl
	})
	return e.record(ctx, kind, name, rows)
}

func (e *Exporter) load(ctx context.Context, keys []kvNamed) ([]Progress, error) {
	names := make([]string, 0, len(keys))
	for _, k := range keys {
		names = append(names, k.Name)
	}
	var out []Progress
	for chunk := range slices.Chunk(names, 100) {
		vals, err := e.KV.GetMany(ctx, chunk)
		if err != nil {
			return nil, err
		}
		for _, n := range chunk {
			raw, ok := vals[n]
			if !ok {
				continue
			}
			var p Progress
			if json.Unmarshal([]byte(raw), &p) == nil {
				out = append(out, p)
			}
		}
	}
	return out, nil
}

// Run is one line of the export history.
type Run struct {
	Kind string    `json:"kind"`
	File string    `json:"file"`
	Rows int       `json:"rows"`
	At   time.Time `json:"at"`
}

func (e *Exporter) record(ctx context.Context, kind, file string, rows int) error {
	var hist []Run
	raw, err := e.KV.Get(ctx, historyKey)
	switch {
	case errors.Is(err, kvstore.ErrNotFound):
	case err != nil:
		return err
	default:
		if err := json.Unmarshal([]byte(raw), &hist); err != nil {
			log.Printf("export: history unreadable, starting over: %v", err)
		}
	}
	hist = append(hist, Run{Kind: kind, File: file, Rows: rows, At: time.Now().UTC()})
	if len(hist) > 60 {
		hist = hist[len(hist)-60:]
	}
	out, _ := json.Marshal(hist)
	return e.KV.Put(ctx, historyKey, string(out), 0) // EXPECT kvrace
}

// LastStatus returns the status written by the last run, for the long-poll
// endpoint.
func (e *Exporter) LastStatus(ctx context.Context) (json.RawMessage, bool, error) {
	raw, err := e.KV.Get(ctx, statusKey)
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return json.RawMessage(raw), true, nil
}

// MarkRequested records that an operator asked for a manual export; the
// marker lives until the end of the current billing month.
func (e *Exporter) MarkRequested(ctx context.Context, by string, anchorDay int) error {
	at := calendar.EndOfBillingMonth(time.Now(), anchorDay)
	return e.KV.PutUntil(ctx, "export:requested:"+by, time.Now().UTC().Format(time.RFC3339), at) // DEBATABLE kvttl
}
