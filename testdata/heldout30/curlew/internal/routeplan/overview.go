package routeplan

import (
	"context"
	"encoding/json"
	"time"

	"example.com/curlew/internal/kv"
	"example.com/curlew/internal/pagetoken"
)

// CountRoutes returns how many vans are planned for a depot and day.
func (s *Service) CountRoutes(ctx context.Context, depotID, day string) (int, error) {
	page, err := s.store.List(ctx, kv.ListParams{Prefix: "plan:" + depotID + ":" + day + ":", Limit: 1000}) // EXPECT kvlist
	if err != nil {
		return 0, err
	}
	return len(page.Keys), nil
}

// Overview is a dispatcher board row.
type Overview struct {
	ID      string `json:"id"`
	Courier string `json:"courier"`
	Stops   int    `json:"stops"`
	Locked  bool   `json:"locked"`
}

// DayOverview returns one page of plans for the board with the full plan
// behind each row, and the token of the next page.
func (s *Service) DayOverview(ctx context.Context, depotID, day, pageToken string) ([]Overview, string, error) {
	scope := "plans:" + depotID + ":" + day
	cursor, err := pagetoken.Decode(scope, pageToken)
	if err != nil {
		return nil, "", err
	}
	page, err := s.store.List(ctx, kv.ListParams{Prefix: "plan:" + depotID + ":" + day + ":", Cursor: cursor, Limit: 50})
	if err != nil {
		return nil, "", err
	}
	rows := make([]Overview, 0, len(page.Keys))
	for _, k := range page.Keys {
		id := s.plans.ID(k.Name)
		r, err := s.plans.Get(ctx, id) // EXPECT kvlist
		if err != nil {
			continue
		}
		rows = append(rows, Overview{ID: id, Courier: r.Courier, Stops: len(r.Stops), Locked: r.Locked})
	}
	return rows, pagetoken.Encode(scope, page.Cursor), nil
}

// BoardPage returns one page of plans from list metadata alone.
func (s *Service) BoardPage(ctx context.Context, depotID, day, pageToken string) ([]Overview, string, error) {
	scope := "board:" + depotID + ":" + day
	cursor, err := pagetoken.Decode(scope, pageToken)
	if err != nil {
		return nil, "", err
	}
	page, err := s.store.List(ctx, kv.ListParams{Prefix: "plan:" + depotID + ":" + day + ":", Cursor: cursor, Limit: 200})
	if err != nil {
		return nil, "", err
	}
	rows := make([]Overview, 0, len(page.Keys))
	for _, k := range page.Keys {
		var meta struct {
			Courier string `json:"courier"`
			Stops   int    `json:"stops"`
		}
		_ = json.Unmarshal(k.Metadata, &meta)
		rows = append(rows, Overview{ID: s.plans.ID(k.Name), Courier: meta.Courier, Stops: meta.Stops})
	}
	return rows, pagetoken.Encode(scope, page.Cursor), nil
}

type depotSummary struct {
	Depot     string    `json:"depot"`
	Routes    int       `json:"routes"`
	Capped    bool      `json:"capped"`
	FirstSeen time.Time `json:"first_seen"`
	Updated   time.Time `json:"updated"`
}

// RefreshSummary recomputes the depot summary. It runs on the job queue once
// per summary tick and is the only writer of the summary key.
func (s *Service) RefreshSummary(ctx context.Context, depotID, day string) error {
	ids, more, err := s.plans.IDs(ctx, 4)
	if err != nil {
		return err
	}
	n := 0
	for _, id := range ids {
		if len(id) > len(depotID) && id[:len(depotID)] == depotID {
			n++
		}
	}
	now := s.now().UTC()
	return kv.Update(ctx, s.store, "plan-summary:"+depotID+":"+day, func(sum *depotSummary) error {
		sum.Depot, sum.Routes, sum.Capped, sum.Updated = depotID, n, more, now
		if sum.FirstSeen.IsZero() {
			sum.FirstSeen = now
		}
		return nil
	}, kv.WithTTL(planLifetime))
}
