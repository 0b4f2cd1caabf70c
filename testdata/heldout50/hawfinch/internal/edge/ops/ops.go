//go:build js && wasm

// Package ops holds the worker's scheduled tasks.
package ops

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"slices"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/kv"

	"hawfinch/internal/config"
	"hawfinch/internal/edge/web"
	"hawfinch/internal/edgekv"
)

// Tasks runs the cron triggers configured in wrangler.toml.
type Tasks struct {
	Root   edgekv.Scope
	Cfg    config.Settings
	Origin *web.Origin
}

// Run is the cron.Task entry point.
func (t *Tasks) Run(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	switch ev.Cron {
	case "*/5 * * * *":
		if err := t.syncHolds(ctx); err != nil {
			return err
		}
	case "0 * * * *":
		if err := t.rebuildLeaderboard(ctx); err != nil {
			return err
		}
		if err := t.exportReviewIndex(ctx); err != nil {
			return err
		}
	}
	return t.Root.Scope("ops").Put("last-run", ev.ScheduledTime.Format(time.RFC3339), 0)
}

type heldSlot struct {
	TutorID   string    `json:"tutor_id"`
	SlotID    string    `json:"slot_id"`
	ExpiresAt time.Time `json:"expires_at"`
}

// syncHolds tells the origin which slots are currently held at the edge so
// the tutor's calendar greys them out.
func (t *Tasks) syncHolds(ctx context.Context) error {
	index := t.Root.Scope("hold-index")
	ns := index.Namespace()
	var held []heldSlot
	cursor := ""
	for {
		res, err := ns.List(&kv.ListOptions{Prefix: index.Prefix(), Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			tutorID, slotID, ok := strings.Cut(strings.TrimPrefix(k.Name, index.Prefix()), ":")
			if !ok {
				continue
			}
			held = append(held, heldSlot{TutorID: tutorID, SlotID: slotID, ExpiresAt: time.Unix(int64(k.Expiration), 0)})
		}
		if res.ListComplete {
			break
		}
		cursor = res.Cursor
	}
	return t.Origin.PostJSON(ctx, "/v1/holds/sync", held, nil)
}

type ranked struct {
	TutorID string  `json:"tutor_id"`
	Score   float64 `json:"score"`
}

// rebuildLeaderboard recomputes the top tutors per subject and overall.
func (t *Tasks) rebuildLeaderboard(ctx context.Context) error {
	subjects, err := t.Root.Scope("catalog", "subjects").Names(t.Cfg.MaxListPages)
	if err != nil {
		return err
	}
	slices.Sort(subjects)
	board := t.Root.Scope("leaderboard")
	var overall []ranked
	for _, subject := range subjects {
		var top []ranked
		if err := t.Origin.GetJSON(ctx, "/v1/subjects/"+subject+"/top", &top); err != nil {
			log.Printf("ops: top tutors for %s: %v", subject, err)
			continue
		}
		b, _ := json.Marshal(top)
		if err := board.Put(subject, string(b), 2*time.Hour); err != nil {
			return fmt.Errorf("leaderboard %s: %w", subject, err)
		}
		overall = append(overall, top...)
		slices.SortFunc(overall, func(a, b ranked) int {
			switch {
			case a.Score > b.Score:
				return -1
			case a.Score < b.Score:
				return 1
			}
			return strings.Compare(a.TutorID, b.TutorID)
		})
		overall = overall[:min(len(overall), 20)]
		ob, _ := json.Marshal(overall)
		if err := board.Put("overall", string(ob), 2*time.Hour); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// exportReviewIndex sends the review IDs known at the edge to the origin,
// which compares them with its own table and repairs drift.
func (t *Tasks) exportReviewIndex(ctx context.Context) error {
	ns := t.Root.Namespace()
	prefix := t.Root.Scope("tutor").Prefix()
	var names []string
	cursor := ""
	for page := 0; page < t.Cfg.MaxListPages; page++ {
		res, err := ns.List(&kv.ListOptions{Prefix: prefix, Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return err
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			if strings.Contains(k.Name, ":reviews:items:") {
				names = append(names, k.Name)
			}
		}
		cursor = res.Cursor
	}
	for chunk := range slices.Chunk(names, 500) {
		if err := t.Origin.PostJSON(ctx, "/v1/reviews/edge-index", chunk, nil); err != nil {
			return err
		}
	}
	return nil
}
