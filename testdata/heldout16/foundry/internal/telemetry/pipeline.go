// Package telemetry ingests end-of-match reports from game servers.
//
// Reports flow through stages connected by channels:
//
//	decode+filter -> tee -> archive -> (fan-out) tally workers -> merge
//	                    \-> latest
//
// Each stage closes its output when its input is drained.
package telemetry

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"example.com/foundry/internal/events"
	"example.com/foundry/internal/keys"
	"example.com/foundry/internal/kvstore"
	"example.com/foundry/internal/rules"
)

// PlayerStat is one player's line in a match report.
type PlayerStat struct {
	PlayerID string `json:"player_id"`
	Kills    int    `json:"kills"`
	Score    int    `json:"score"`
}

// MatchReport is sent by a game server when a match ends.
type MatchReport struct {
	MatchID  string        `json:"match_id"`
	Mode     string        `json:"mode"`
	Region   string        `json:"region"`
	Duration time.Duration `json:"duration"`
	Winner   string        `json:"winner"`
	Players  []PlayerStat  `json:"players"`
}

// Key implements keys.Keyer.
func (r MatchReport) Key() string { return keys.Join("match", r.Region, r.MatchID) }

// Worth is what makes a report worth keeping.
var Worth = rules.And[MatchReport](
	rules.Func[MatchReport](func(r MatchReport) bool { return r.MatchID != "" && len(r.Players) > 0 }),
	rules.Func[MatchReport](func(r MatchReport) bool { return r.Duration >= 2*time.Minute }),
	rules.Not[MatchReport](rules.Func[MatchReport](func(r MatchReport) bool { return r.Mode == "tutorial" })),
)

// Ingester runs the pipeline.
type Ingester struct {
	store   kvstore.Store
	bus     *events.Bus
	workers int
	log     *slog.Logger
}

// NewIngester returns an Ingester with n tally workers.
func NewIngester(store kvstore.Store, bus *events.Bus, n int, log *slog.Logger) *Ingester {
	return &Ingester{store: store, bus: bus, workers: max(n, 1), log: log}
}

// stage runs fn over in on its own goroutine; fn sends zero or more outputs.
func stage[In, Out any](ctx context.Context, in <-chan In, fn func(In, func(Out) bool)) <-chan Out {
	out := make(chan Out)
	go func() {
		defer close(out)
		send := func(v Out) bool {
			select {
			case out <- v:
				return true
			case <-ctx.Done():
				return false
			}
		}
		for v := range in {
			fn(v, send)
		}
	}()
	return out
}

func tee[T any](in <-chan T) (<-chan T, <-chan T) {
	a, b := make(chan T), make(chan T)
	go func() {
		defer close(a)
		defer close(b)
		for v := range in {
			a <- v
			b <- v
		}
	}()
	return a, b
}

func merge[T any](cs ...<-chan T) <-chan T {
	out := make(chan T)
	var wg sync.WaitGroup
	for _, c := range cs {
		wg.Go(func() {
			for v := range c {
				out <- v
			}
		})
	}
	go func() { wg.Wait(); close(out) }()
	return out
}

// Ingest runs a batch of raw reports through the pipeline.
func (g *Ingester) Ingest(ctx context.Context, batch [][]byte) error {
	src := make(chan []byte, len(batch))
	for _, b := range batch {
		src <- b
	}
	close(src)

	decoded := stage(ctx, src, func(raw []byte, send func(MatchReport) bool) {
		var r MatchReport
		if err := json.Unmarshal(raw, &r); err != nil {
			g.log.Warn("drop malformed report", "err", err)
		} else if Worth.IsSatisfiedBy(r) {
			send(r)
		}
	})
	toArchive, toLatest := tee(decoded)
	latestErr := make(chan error, 1)
	go func() { latestErr <- g.latest(ctx, toLatest) }()

	players := stage(ctx, toArchive, func(r MatchReport, send func(PlayerStat) bool) {
		b, _ := json.Marshal(r)
		if err := g.store.Put(ctx, r.Key(), b, kvstore.WithTTL(14*24*time.Hour)); err != nil {
			g.log.Warn("archive report", "match", r.MatchID, "err", err)
			return
		}
		ids := make([]string, 0, len(r.Players))
		for _, p := range r.Players {
			ids = append(ids, p.PlayerID)
			send(p)
		}
		events.Publish(ctx, g.bus, events.MatchFinished{MatchID: r.MatchID, Region: r.Region, Players: ids, Winner: r.Winner})
	})

	results := make([]<-chan error, g.workers)
	for i := range results {
		results[i] = stage(ctx, players, func(p PlayerStat, send func(error) bool) { send(g.tally(ctx, p)) })
	}
	var errs []error
	for err := range merge(results...) {
		errs = append(errs, err)
	}
	return errors.Join(append(errs, <-latestErr)...)
}

// tally adds a player's kills to their lifetime total.
func (g *Ingester) tally(ctx context.Context, p PlayerStat) error {
	k := keys.Join("stats", p.PlayerID, "kills")
	total := 0
	raw, err := g.store.Get(ctx, k)
	if err == nil {
		total, _ = strconv.Atoi(string(raw))
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	return g.store.Put(ctx, k, []byte(strconv.Itoa(total+p.Kills))) // EXPECT kvcounter
}

// latest keeps the most recent accepted report for the spectator landing
// page. It drains its input even after a failed write so the tee never
// blocks.
func (g *Ingester) latest(ctx context.Context, reports <-chan MatchReport) error {
	var last error
	for r := range reports {
		b, _ := json.Marshal(map[string]string{"match_id": r.MatchID, "mode": r.Mode, "winner": r.Winner})
		if err := g.store.Put(ctx, "matches/latest", b); err != nil { // EXPECT kvhotkey
			last = err
		}
	}
	return last
}
