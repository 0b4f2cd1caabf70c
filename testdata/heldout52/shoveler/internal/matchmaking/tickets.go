//go:build js && wasm

// Package matchmaking queues match tickets and pairs them up on the cron
// trigger.
package matchmaking

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"github.com/arcadia-games/shoveler/internal/config"
	"github.com/arcadia-games/shoveler/internal/kvbase"
	"github.com/arcadia-games/shoveler/internal/tenant"
)

// Ticket is one player's (or party's) request for a match.
type Ticket struct {
	ID      string    `json:"id"`
	Kind    string    `json:"kind"`
	Mode    string    `json:"mode"`
	Region  string    `json:"region"`
	Rating  int       `json:"rating"`
	Players []string  `json:"players"`
	Created time.Time `json:"created"`
}

func (t Ticket) ratingBand() string { return strconv.Itoa(t.Rating / 100) }

// ReadyCheck is the accept/decline prompt shown when a match is found.
type ReadyCheck struct {
	Match    string          `json:"match"`
	Accepted map[string]bool `json:"accepted"`
}

// TicketStore keeps tickets under tenant:ticket:<mode>:<band>:<id>, so a sweep
// can pair tickets from key names alone.
type TicketStore struct {
	kvbase.Table[Ticket]
}

// Put stores a solo ticket.
func (s *TicketStore) Put(ctx context.Context, t Ticket) error {
	return s.Table.Put(ctx, t, t.Mode, t.ratingBand(), t.ID)
}

// PutParty stores a party ticket; parties are banded by their best player.
func (s *TicketStore) PutParty(ctx context.Context, t Ticket) error {
	if len(t.Players) < 2 {
		return errors.New("matchmaking: party ticket needs two or more players")
	}
	return s.Table.Put(ctx, t, t.Mode, t.ratingBand(), "party-"+t.ID)
}

var enqueueBy = map[string]func(*TicketStore, context.Context, Ticket) error{
	"solo":  (*TicketStore).Put,
	"party": (*TicketStore).PutParty,
}

// Service runs the queue.
type Service struct {
	NS      *kv.Namespace
	Bucket  *kvbase.Bucket
	Tickets *TicketStore
	Ready   kvbase.Table[ReadyCheck]
	Cfg     config.Config
}

// New wires the matchmaking service over the MATCH namespace.
func New(ns *kv.Namespace, cfg config.Config, rec *kvbase.Recorder) *Service {
	return &Service{
		NS:      ns,
		Bucket:  &kvbase.Bucket{NS: ns, Metrics: rec},
		Tickets: &TicketStore{Table: kvbase.Table[Ticket]{NS: ns, Prefix: "ticket", TTL: cfg.TicketTTL, Metrics: rec}},
		Ready: kvbase.Table[ReadyCheck]{
			NS:      ns,
			Prefix:  "ready",
			TTL:     45 * time.Second, // EXPECT kvttl
			Metrics: rec,
		},
		Cfg: cfg,
	}
}

func queueKey(ctx context.Context, region string, now time.Time) string {
	return kvbase.Key(tenant.From(ctx), "queue", region, strconv.FormatInt(now.Unix()/60, 10))
}

// Enqueue stores a ticket and adds it to the current minute's regional queue.
func (s *Service) Enqueue(ctx context.Context, t Ticket) error {
	write, ok := enqueueBy[t.Kind]
	if !ok {
		return fmt.Errorf("matchmaking: unknown ticket kind %q", t.Kind)
	}
	if err := write(s.Tickets, ctx, t); err != nil {
		return err
	}
	key := queueKey(ctx, t.Region, time.Now())
	raw, err := s.NS.GetString(key, nil)
	if err != nil {
		return err
	}
	var ids []string
	if raw != "<null>" {
		if err := json.Unmarshal([]byte(raw), &ids); err != nil {
			return err
		}
	}
	ids = append(ids, t.ID)
	b, _ := json.Marshal(ids)
	return s.NS.PutString(key, string(b), &kv.PutOptions{ExpirationTTL: 600}) // EXPECT kvrace
}

type depth struct {
	region string
	n      int
	err    error
}

// Depth reports how many tickets joined each region's queue in the last
// minute. Each region is read concurrently with its own deadline.
func (s *Service) Depth(ctx context.Context) (map[string]int, error) {
	now := time.Now().Add(-time.Minute)
	out := make(chan depth, len(s.Cfg.FanOutRegions))
	for _, region := range s.Cfg.FanOutRegions {
		go func() {
			rctx, cancel := context.WithTimeout(ctx, s.Cfg.RegionTimeout)
			defer cancel()
			raw, err := s.Bucket.Get(rctx, queueKey(rctx, region, now))
			if kvbase.IsNotFound(err) {
				out <- depth{region: region}
				return
			}
			if err == nil {
				err = rctx.Err()
			}
			var ids []string
			if err == nil {
				err = json.Unmarshal(raw, &ids)
			}
			out <- depth{region: region, n: len(ids), err: err}
		}()
	}
	res := make(map[string]int, len(s.Cfg.FanOutRegions))
	var errs []error
	for range s.Cfg.FanOutRegions {
		d := <-out
		if d.err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", d.region, d.err))
			continue
		}
		res[d.region] = d.n
	}
	return res, kvbase.Collect(errs...)
}

// LockParty stops two members of the same party from queueing it twice.
func (s *Service) LockParty(ctx context.Context, partyID, owner string) error {
	key := kvbase.Key(tenant.From(ctx), "lock", "party", partyID)
	cur, err := s.NS.GetString(key, nil)
	if err != nil {
		return err
	}
	if cur != "<null>" {
		return &kvbase.ConflictError{Key: key, Owner: cur}
	}
	return s.NS.PutString(key, owner, &kv.PutOptions{ExpirationTTL: s.Cfg.LockTTLSeconds}) // EXPECT kvrace
}

// UnlockParty releases the party lock once the ticket is matched or cancelled.
func (s *Service) UnlockParty(ctx context.Context, partyID string) error {
	return s.NS.Delete(kvbase.Key(tenant.From(ctx), "lock", "party", partyID))
}

// Hold keeps a matched lobby reserved while the ready check runs.
func (s *Service) Hold(ctx context.Context, matchID string, players []string) error {
	b, err := json.Marshal(players)
	if err != nil {
		return err
	}
	key := kvbase.Key(tenant.From(ctx), "hold", matchID)
	return s.Bucket.PutTTL(ctx, key, b, int(max(2*s.Cfg.MatchDeadline, time.Minute).Seconds()))
}

// StartReadyCheck opens the accept/decline prompt for a match.
func (s *Service) StartReadyCheck(ctx context.Context, matchID string, players []string) error {
	rc := ReadyCheck{Match: matchID, Accepted: make(map[string]bool, len(players))}
	for _, p := range players {
		rc.Accepted[p] = false
	}
	return s.Ready.Put(ctx, rc, matchID)
}

type pending struct {
	mode, band, id string
}

func parseTicketKey(prefix, name string) (pending, bool) {
	parts := strings.Split(strings.TrimPrefix(name, prefix), kvbase.Sep)
	if len(parts) != 3 {
		return pending{}, false
	}
	return pending{mode: parts[0], band: parts[1], id: parts[2]}, true
}

// Sweep pairs waiting tickets that share a mode and rating band. It runs on
// the cron trigger and records how far it got so a timed-out run can be
// inspected.
func (s *Service) Sweep(ctx context.Context, record func(*kvbase.Bucket, context.Context, string, []byte) error) (int, error) {
	prefix := s.Tickets.KeyFor(ctx) + kvbase.Sep
	checkpoint := kvbase.Key(tenant.From(ctx), "mm", "checkpoint")
	waiting := map[string][]pending{}
	cursor := ""
	for {
		res, err := s.NS.List(&kv.ListOptions{Prefix: prefix, Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return 0, err
		}
		for _, k := range res.Keys {
			p, ok := parseTicketKey(prefix, k.Name)
			if !ok {
				continue
			}
			waiting[p.mode+"/"+p.band] = append(waiting[p.mode+"/"+p.band], p)
			if err := record(s.Bucket, ctx, checkpoint, []byte(k.Name)); err != nil { // EXPECT kvhotkey
				return 0, err
			}
		}
		if res.ListComplete {
			break
		}
		cursor = res.Cursor
	}
	matched := 0
	groups := make([]string, 0, len(waiting))
	for g := range waiting {
		groups = append(groups, g)
	}
	sort.Strings(groups)
	for _, g := range groups {
		q := waiting[g]
		for i := 0; i+1 < len(q); i += 2 {
			matchID := q[i].id + "-" + q[i+1].id
			if err := s.StartReadyCheck(ctx, matchID, []string{q[i].id, q[i+1].id}); err != nil {
				return matched, err
			}
			_ = s.Tickets.Delete(ctx, q[i].mode, q[i].band, q[i].id)
			_ = s.Tickets.Delete(ctx, q[i+1].mode, q[i+1].band, q[i+1].id)
			matched++
		}
	}
	return matched, nil
}

// ExpireStale removes tickets older than the match deadline. It stops after the
// configured page budget; the next cron tick continues.
func (s *Service) ExpireStale(ctx context.Context) (int, error) {
	prefix := s.Tickets.KeyFor(ctx) + kvbase.Sep
	cutoff := time.Now().Add(-s.Cfg.MatchDeadline)
	removed := 0
	cursor := ""
	for page := 0; page < s.Cfg.ListPageBudget; page++ {
		res, err := s.NS.List(&kv.ListOptions{Prefix: prefix, Cursor: cursor, Limit: s.Cfg.ListPageSize})
		if err != nil {
			return removed, err
		}
		for _, k := range res.Keys {
			created := time.Unix(int64(k.Expiration), 0).Add(-s.Cfg.TicketTTL)
			if k.Expiration != 0 && created.Before(cutoff) {
				if err := s.NS.Delete(k.Name); err == nil {
					removed++
				}
			}
		}
		if res.ListComplete {
			break
		}
		cursor = res.Cursor
	}
	return removed, nil
}

// Handlers serves the queue API.
type Handlers struct {
	Svc *Service
}

// Register installs the queue routes.
func (h *Handlers) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /queue/{mode}", h.enqueue)
	mux.HandleFunc("GET /queue/depth", h.depth)
}

func (h *Handlers) enqueue(w http.ResponseWriter, r *http.Request) {
	ctx := tenant.FromRequest(r)
	player, _ := tenant.Player(ctx)
	rating, _ := strconv.Atoi(r.FormValue("rating"))
	t := Ticket{ID: strconv.FormatInt(time.Now().UnixNano(), 36), Kind: "solo", Mode: r.PathValue("mode"), Region: r.FormValue("region"), Rating: rating, Players: []string{player}, Created: time.Now().UTC()}
	if err := h.Svc.Enqueue(ctx, t); err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

func (h *Handlers) depth(w http.ResponseWriter, r *http.Request) {
	d, err := h.Svc.Depth(tenant.FromRequest(r))
	w.Header().Set("Content-Type", "application/json")
	if err != nil {
		w.Header().Set("X-Partial", "true")
	}
	_ = json.NewEncoder(w).Encode(d)
}
