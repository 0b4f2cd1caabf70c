package polls

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	"example.com/wharf/internal/domain"
	"example.com/wharf/internal/keys"
	"example.com/wharf/internal/storage"
)

// Publisher writes poll definitions and final results to the store.
type Publisher struct {
	Store   storage.Store
	Tallies TallyCounter
	Clock   func() time.Time
}

// Publish makes a poll visible in the lobby until it closes.
func (p Publisher) Publish(ctx context.Context, poll domain.Poll) error {
	if len(poll.Options) < 2 {
		return domain.Invalid("options", "a poll needs at least two options")
	}
	if !poll.ClosesAt.After(p.Clock().Add(5 * time.Minute)) {
		return domain.Invalid("closes_at", "a poll must stay open for at least five minutes")
	}
	return storage.PutJSON(ctx, p.Store, keys.Poll(poll.ID), poll,
		storage.PutOptions{ExpireAt: poll.ClosesAt.Add(7 * 24 * time.Hour)})
}

// ImportBallots loads ballots collected offline (the venue kiosks) into the
// store and records the most recent one for the results page.
func (p Publisher) ImportBallots(ctx context.Context, pollID string, ballots []domain.Ballot) (int, error) {
	slices.SortFunc(ballots, func(a, b domain.Ballot) int { return a.CastAt.Compare(b.CastAt) })
	n := 0
	for _, b := range ballots {
		if b.PollID != pollID {
			continue
		}
		if err := storage.PutJSON(ctx, p.Store, keys.Ballot(pollID, b.VisitorID), b,
			storage.PutOptions{TTL: 7 * 24 * time.Hour}); err != nil {
			return n, fmt.Errorf("import %s: %w", b.VisitorID, err)
		}
		latest, _ := json.Marshal(map[string]any{"visitor": b.VisitorID, "at": b.CastAt})
		if err := p.Store.Put(ctx, keys.PollLatest(pollID), latest, storage.PutOptions{}); err != nil { // EXPECT kvhotkey
			return n, err
		}
		n++
	}
	return n, nil
}

// OptionResult is one row of a results table.
type OptionResult struct {
	Option  string  `json:"option"`
	Votes   int64   `json:"votes"`
	Percent float64 `json:"percent"`
}

// Results is the presenter output for a poll.
type Results struct {
	PollID   string         `json:"poll_id"`
	Question string         `json:"question"`
	Total    int64          `json:"total"`
	Rows     []OptionResult `json:"rows"`
	Leader   string         `json:"leader,omitempty"`
}

// Present turns a tally into a results table, in ballot order, with any
// write-in options the tally holds appended alphabetically.
func Present(poll domain.Poll, tally domain.Tally) Results {
	res := Results{PollID: poll.ID, Question: poll.Question, Total: tally.Total()}
	seen := make(map[string]bool, len(poll.Options))
	order := slices.Clone(poll.Options)
	for _, o := range poll.Options {
		seen[o] = true
	}
	for _, o := range slices.Sorted(maps.Keys(tally.Counts)) {
		if !seen[o] {
			order = append(order, o)
		}
	}
	var best int64 = -1
	for _, o := range order {
		n := tally.Counts[o]
		row := OptionResult{Option: o, Votes: n}
		if res.Total > 0 {
			row.Percent = float64(n) * 100 / float64(res.Total)
		}
		res.Rows = append(res.Rows, row)
		if n > best {
			best, res.Leader = n, o
		}
	}
	if res.Total == 0 {
		res.Leader = ""
	}
	return res
}
