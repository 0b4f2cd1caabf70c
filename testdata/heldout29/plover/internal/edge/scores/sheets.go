//go:build js && wasm

package scores

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"time"

	"example.com/plover/internal/edge/kvbind"
	"example.com/plover/internal/httpx"
	"example.com/plover/internal/keys"
	"example.com/plover/internal/league"
)

const (
	sheetTTL     = 180 * 24 * time.Hour
	maxSheetSize = 5 << 20
)

// UploadSheet stores the scanned match sheet as it streams in.
func (s *Service) UploadSheet(w http.ResponseWriter, r *http.Request) {
	if _, err := reporter(r.Context()); err != nil {
		httpx.WriteError(w, err)
		return
	}
	id := r.PathValue("id")
	key := keys.SheetKey.Render(keys.MatchRef{Match: id})
	body := bufio.NewReaderSize(http.MaxBytesReader(w, r.Body, maxSheetSize), 64<<10)
	opts := &kvbind.PutOpts{TTL: sheetTTL}
	if err := s.kv.PutStream(key, body, opts); err != nil {
		httpx.WriteError(w, err)
		return
	}
	w.WriteHeader(http.StatusCreated)
}

type EventReq struct {
	Match league.MatchID    `json:"match"`
	Event league.MatchEvent `json:"event"`
}

// AppendEvent adds a goal, card or substitution to the match log.
func (s *Service) AppendEvent(ctx context.Context, req EventReq) ([]league.MatchEvent, error) {
	if _, err := reporter(ctx); err != nil {
		return nil, err
	}
	key := "events:" + string(req.Match)
	raw, found, err := s.actor.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	var evs []league.MatchEvent
	if found {
		if err := json.Unmarshal([]byte(raw), &evs); err != nil {
			return nil, err
		}
	}
	evs = append(evs, req.Event)
	slices.SortStableFunc(evs, func(a, b league.MatchEvent) int { return a.Minute - b.Minute })
	body, _ := json.Marshal(evs)
	return evs, s.actor.Put(ctx, key, string(body), 0) // EXPECT kvrace
}

// Events returns the match log for the live page.
func (s *Service) Events(ctx context.Context, req httpx.Request) ([]league.MatchEvent, error) {
	raw, err := s.actor.Load(ctx, "events:"+req.Path("id")) // EXPECT kvnull
	if err != nil {
		return nil, err
	}
	var evs []league.MatchEvent
	return evs, json.Unmarshal([]byte(raw), &evs)
}

// BoxScore is the per-player statistics block published after a match.
type BoxScore struct {
	Match   league.MatchID `json:"match"`
	Players []struct {
		ID      league.PlayerID `json:"id"`
		Goals   int             `json:"goals"`
		Assists int             `json:"assists"`
		Minutes int             `json:"minutes"`
	} `json:"players"`
}

// Box returns the box score written by the backend after a match.
func (s *Service) Box(ctx context.Context, req httpx.Request) (BoxScore, error) {
	var box BoxScore
	rd, err := s.ns.GetReader(keys.BoxKey.Render(keys.MatchRef{Match: req.Path("id")}), nil) // EXPECT kvnull
	if err != nil {
		return box, err
	}
	return box, json.NewDecoder(bufio.NewReader(rd)).Decode(&box)
}
