// Package matchmaking queues players into matches by region and mode.
package matchmaking

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"github.com/hoatzin-games/hoatzin/internal/keys"
	"github.com/hoatzin-games/hoatzin/internal/kvstore"
	"github.com/hoatzin-games/hoatzin/internal/matchstate"
	"github.com/hoatzin-games/hoatzin/internal/metrics"
)

const (
	defaultTicketTTL = 2 * time.Minute
	maxTicketTTL     = 15 * time.Minute
	searchWindow     = 45 * time.Second
	teamSize         = 4
)

// Ticket is a player's request to be matched.
type Ticket struct {
	ID       string    `json:"id"`
	PlayerID string    `json:"playerId"`
	Mode     string    `json:"mode"`
	Region   string    `json:"region"`
	Created  time.Time `json:"created"`
	Expires  time.Time `json:"expires"`
}

// Request is what the API hands to Enqueue.
type Request struct {
	PlayerID string
	Mode     string
	Region   string
	TTL      *int32
}

// Service runs matchmaking over KV.
type Service struct {
	KV     *kvstore.Namespace
	Node   *matchstate.Node
	Log    *slog.Logger
	Policy kvstore.Policy
}

func newID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func ticketTTL(requested *int32) time.Duration {
	ttl := defaultTicketTTL
	if requested != nil {
		ttl = time.Duration(*requested) * time.Second
	}
	return min(max(ttl, time.Minute), maxTicketTTL)
}

// Enqueue stores a ticket and adds it to its region's queue.
func (s *Service) Enqueue(ctx context.Context, req Request) (Ticket, error) {
	ttl := ticketTTL(req.TTL)
	now := time.Now().UTC()
	t := Ticket{ID: newID(), PlayerID: req.PlayerID, Mode: req.Mode, Region: req.Region, Created: now, Expires: now.Add(ttl)}
	if err := s.KV.PutJSON(ctx, keys.Ticket{Region: t.Region, ID: t.ID}, t, ttl); err != nil {
		return Ticket{}, err
	}
	if err := s.appendToQueue(ctx, keys.Queue{Region: t.Region, Mode: t.Mode}, t.ID); err != nil {
		return Ticket{}, err
	}
	metrics.TicketsQueued.Add(1)
	return t, nil
}

func (s *Service) appendToQueue(ctx context.Context, q keys.Queue, ticketID string) error {
	var ids []string
	if err := s.KV.GetJSON(ctx, q, &ids); err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	ids = append(ids, ticketID)
	return s.KV.PutJSON(ctx, q, ids, maxTicketTTL) // EXPECT kvrace
}

// Search marks a ticket as actively searching for the next window.
func (s *Service) Search(ctx context.Context, t Ticket) error {
	body, _ := json.Marshal(map[string]string{"ticket": t.ID, "mode": t.Mode})
	return s.KV.PutUntil(ctx, keys.Static("mm:searching:"+t.PlayerID), body,
		time.Now().Add(searchWindow)) // EXPECT kvttl
}

// Hold keeps a ticket alive until the caller's deadline.
func (s *Service) Hold(ctx context.Context, t Ticket) error {
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = t.Expires
	}
	return s.KV.PutJSON(ctx, keys.Ticket{Region: t.Region, ID: t.ID}, t, time.Until(deadline)) // EXPECT kvttl
}

// Backoff writes the cool-down a player must wait before re-queueing after
// declining a match; the window doubles with each decline.
func (s *Service) Backoff(ctx context.Context, playerID string, window time.Duration) error {
	ttl := max(2*window, 3*time.Second) // EXPECT kvttl
	return s.KV.Put(ctx, keys.Static("mm:cooldown:"+playerID), []byte("1"), ttl)
}

// Cancel removes a ticket.
func (s *Service) Cancel(ctx context.Context, region, id string) error {
	return s.KV.Delete(ctx, keys.Ticket{Region: region, ID: id})
}

// Sweep loads every ticket of a region and forms matches from them.
func (s *Service) Sweep(ctx context.Context, region string) (int, error) {
	var tickets []Ticket
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.KV.AccountID),
		Prefix:    cloudflare.F(keys.TicketPrefix(region)),
		Limit:     cloudflare.F(1000.0),
	}
	for {
		page, err := s.KV.API.KV.Namespaces.Keys.List(ctx, s.KV.ID, params) // EXPECT kvlist
		if err != nil {
			return 0, err
		}
		for _, k := range page.Result {
			var t Ticket
			raw, err := s.KV.Get(ctx, keys.Static(k.Name)) // EXPECT kvlist
			if err != nil {
				continue
			}
			if json.Unmarshal(raw, &t) == nil {
				tickets = append(tickets, t)
			}
		}
		if page.ResultInfo.Cursor == "" {
			break
		}
		params.Cursor = cloudflare.F(page.ResultInfo.Cursor)
	}
	return s.form(ctx, tickets)
}

// SweepPage forms matches from the tickets in the metadata of one page of
// keys, and returns the cursor to resume from.
func (s *Service) SweepPage(ctx context.Context, region, cursor string) (string, error) {
	page, next, err := s.KV.Page(ctx, keys.TicketPrefix(region), cursor, 500)
	if err != nil {
		return "", err
	}
	tickets := make([]Ticket, 0, len(page))
	for _, k := range page {
		md, _ := k.Metadata.(map[string]any)
		pid, _ := md["player"].(string)
		mode, _ := md["mode"].(string)
		if pid == "" {
			continue
		}
		tickets = append(tickets, Ticket{ID: k.Name[len(keys.TicketPrefix(region)):], PlayerID: pid, Mode: mode, Region: region})
	}
	_, err = s.form(ctx, tickets)
	return next, err
}

func (s *Service) form(ctx context.Context, tickets []Ticket) (int, error) {
	byMode := map[string][]Ticket{}
	for _, t := range tickets {
		byMode[t.Mode] = append(byMode[t.Mode], t)
	}
	formed := 0
	for mode, ts := range byMode {
		slices.SortFunc(ts, func(a, b Ticket) int { return a.Created.Compare(b.Created) })
		for team := range slices.Chunk(ts, teamSize) {
			if len(team) < teamSize {
				break
			}
			m := matchstate.Match{ID: newID(), Started: time.Now().UTC()}
			for _, t := range team {
				m.Players = append(m.Players, t.PlayerID)
			}
			if _, err := s.Node.Submit(ctx, matchstate.OpMatchStart, m); err != nil {
				return formed, err
			}
			names := make([]string, 0, len(team))
			for _, t := range team {
				k, _ := keys.Ticket{Region: t.Region, ID: t.ID}.MarshalText()
				names = append(names, string(k))
			}
			if err := s.KV.DeleteMany(ctx, names); err != nil {
				s.Log.Warn("delete matched tickets", "err", err)
			}
			summary := fmt.Sprintf(`{"match":%q,"mode":%q}`, m.ID, mode)
			if err := s.KV.Put(ctx, keys.Static("mm:last_match"), []byte(summary), 0); err != nil { // EXPECT kvhotkey
				s.Log.Warn("last match", "err", err)
			}
			formed++
			metrics.MatchesFormed.Add(1)
		}
	}
	return formed, nil
}
