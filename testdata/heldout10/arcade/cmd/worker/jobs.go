package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/queues"

	"example.com/arcade/internal/matchmaking"
)

var regions = []string{"eu", "us-east", "us-west", "sa", "ap"}

type job struct {
	name string
	run  func(ctx context.Context, a *app, at time.Time) error
}

// schedules maps the crons in wrangler.toml to the jobs they run.
var schedules = map[string][]job{
	"5 0 * * *": {
		{"challenges.rollover", func(ctx context.Context, a *app, at time.Time) error { return a.challenges.Rollover(ctx, at) }},
		{"challenges.purge", func(ctx context.Context, a *app, at time.Time) error {
			n, err := a.challenges.Purge(ctx, at, 20)
			log.Printf("challenges.purge: deleted %d", n)
			return err
		}},
	},
	"0 * * * *": {
		{"content.publish", func(ctx context.Context, a *app, _ time.Time) error { return a.content.Publish(ctx) }},
		{"matchmaking.sweep", func(ctx context.Context, a *app, _ time.Time) error {
			var errs []error
			for _, r := range regions {
				if _, err := a.mm.SweepStale(ctx, r, 30*time.Minute); err != nil {
					errs = append(errs, fmt.Errorf("%s: %w", r, err))
				}
			}
			return errors.Join(errs...)
		}},
	},
	"30 3 * * *": {
		{"admin.backfill", func(ctx context.Context, a *app, _ time.Time) error {
			ids, err := a.origin.playerIDs(ctx)
			if err != nil {
				return err
			}
			return a.admin.Backfill(ctx, ids, a.origin.searchDoc)
		}},
	},
	"0 0 1 * *": {
		{"leaderboard.drop-snapshots", func(ctx context.Context, a *app, _ time.Time) error {
			_, err := a.board.DropSnapshots(ctx)
			return err
		}},
	},
}

func runCron(ctx context.Context) error {
	a, err := getApp()
	if err != nil {
		return err
	}
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, j := range schedules[ev.Cron] {
		if err := j.run(ctx, a, ev.ScheduledTime); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", j.name, err))
		}
	}
	return errors.Join(errs...)
}

func decodeAs[T matchmaking.Event](data []byte) (matchmaking.Event, error) {
	var e T
	err := json.Unmarshal(data, &e)
	return e, err
}

var eventTypes = map[string]func([]byte) (matchmaking.Event, error){
	"match.found":      decodeAs[matchmaking.MatchFound],
	"match.finished":   decodeAs[matchmaking.MatchFinished],
	"ticket.cancelled": decodeAs[matchmaking.TicketCancelled],
}

func decodeEvent(raw string) (matchmaking.Event, error) {
	var env struct {
		Type string          `json:"type"`
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal([]byte(raw), &env); err != nil {
		return nil, err
	}
	decode, ok := eventTypes[env.Type]
	if !ok {
		return nil, fmt.Errorf("unknown event type %q", env.Type)
	}
	return decode(env.Data)
}

func consume(batch *queues.MessageBatch) error {
	a, err := getApp()
	if err != nil {
		return err
	}
	events := make([]matchmaking.Event, 0, len(batch.Messages))
	for _, m := range batch.Messages {
		body, err := m.StringBody()
		var ev matchmaking.Event
		if err == nil {
			ev, err = decodeEvent(body)
		}
		if err != nil {
			log.Printf("queue: drop %s: %v", m.ID, err)
			m.Ack()
			continue
		}
		events = append(events, ev)
	}
	return a.consumer.Handle(context.Background(), events)
}
