// Package depots manages depot capacity: couriers place holds on intake
// slots, and the edge shows each depot's current load.
package depots

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"strconv"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"sora/internal/config"
	"sora/internal/edgekv"
	"sora/internal/httpx"
)

// ns is set by main.
var ns *edgekv.Namespace

// Init wires the package.
func Init(n *edgekv.Namespace) { ns = n }

// Hold reserves intake capacity at a depot.
type Hold struct {
	ID        string    `json:"id"`
	Depot     string    `json:"depot"`
	CourierID string    `json:"courier_id"`
	Parcels   int       `json:"parcels"`
	Arrival   time.Time `json:"arrival"`
	SlotEnd   time.Time `json:"slot_end"`
	Kind      string    `json:"kind"`
}

// Capacity is the stored load of a depot.
type Capacity struct {
	Total int       `json:"total"`
	Held  int       `json:"held"`
	AsOf  time.Time `json:"as_of"`
}

// Settings are a depot's opening hours and intake rules.
type Settings struct {
	Depot      string            `json:"depot"`
	Hours      map[string]string `json:"hours"`
	MaxParcels int               `json:"max_parcels"`
	Closed     bool              `json:"closed"`
}

func defaultSettings(depot string) Settings {
	return Settings{Depot: depot, Hours: map[string]string{"mon-fri": "06:00-20:00"}, MaxParcels: 400}
}

// PlaceHoldRequest asks for intake capacity.
type PlaceHoldRequest struct {
	Depot     string    `json:"depot"`
	CourierID string    `json:"courier_id"`
	Parcels   int       `json:"parcels"`
	Arrival   time.Time `json:"arrival"`
	SlotEnd   time.Time `json:"slot_end"`
	WalkIn    bool      `json:"walk_in"`
}

// PlaceHold stores a hold and charges it to the depot's capacity.
func PlaceHold(ctx context.Context, req PlaceHoldRequest) (Hold, error) {
	cfg := config.Load()
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	h := Hold{
		ID: hex.EncodeToString(b), Depot: req.Depot, CourierID: req.CourierID,
		Parcels: req.Parcels, Arrival: req.Arrival, SlotEnd: req.SlotEnd, Kind: "slot",
	}
	policy := policyFor(cfg.ExpiryPolicy)
	if req.WalkIn {
		h.Kind = "walk-in"
		policy = policies["walk-in"]
	}
	if err := reserveCapacity(ctx, req.Depot, req.Parcels); err != nil {
		return Hold{}, err
	}
	if err := chargeQuota(ctx, req.Depot, req.Parcels); err != nil {
		return Hold{}, err
	}
	val, _ := json.Marshal(h)
	if err := ns.Write(ctx, "hold:"+h.Depot+":"+h.ID, val, policy.TTL(h, time.Now())); err != nil {
		return Hold{}, err
	}
	return h, nil
}

func reserveCapacity(ctx context.Context, depot string, parcels int) error {
	key := "capacity:" + depot
	raw, ok, err := ns.Read(ctx, key)
	if err != nil {
		return err
	}
	if !ok {
		return httpx.NotFound("unknown depot")
	}
	var c Capacity
	if err := json.Unmarshal(raw, &c); err != nil {
		return err
	}
	if c.Held+parcels > c.Total {
		return httpx.Conflict("depot is full")
	}
	c.Held += parcels
	c.AsOf = time.Now().UTC()
	out, _ := json.Marshal(c)
	return ns.Write(ctx, key, out, 0) // EXPECT kvrace|kvcounter
}

func chargeQuota(ctx context.Context, depot string, parcels int) error {
	key := "quota:" + depot + ":" + time.Now().UTC().Format("2006-01-02")
	used := 0
	if raw, ok, err := ns.Read(ctx, key); err != nil {
		return err
	} else if ok {
		used, _ = strconv.Atoi(string(raw))
	}
	return ns.Write(ctx, key, []byte(strconv.Itoa(used+parcels)), 36*time.Hour) // EXPECT kvcounter|kvrace
}

// ExtendHoldRequest moves a hold's end to a new time.
type ExtendHoldRequest struct {
	Depot string    `json:"depot"`
	ID    string    `json:"id"`
	Until time.Time `json:"until"`
}

// ExtendHold rewrites a hold so that it expires at req.Until.
func ExtendHold(ctx context.Context, req ExtendHoldRequest) (Hold, error) {
	key := "hold:" + req.Depot + ":" + req.ID
	raw, ok, err := ns.Read(ctx, key)
	if err != nil {
		return Hold{}, err
	}
	if !ok {
		return Hold{}, httpx.NotFound("hold expired")
	}
	var h Hold
	if err := json.Unmarshal(raw, &h); err != nil {
		return Hold{}, err
	}
	if req.Until.Before(time.Now()) {
		return Hold{}, httpx.BadRequest("until is in the past")
	}
	h.SlotEnd = req.Until
	out, _ := json.Marshal(h)
	if err := ns.Write(ctx, key, out, time.Until(req.Until)); err != nil { // EXPECT kvttl
		return Hold{}, err
	}
	return h, nil
}

// ReleaseHoldRequest gives capacity back.
type ReleaseHoldRequest struct {
	Depot string `json:"depot"`
	ID    string `json:"id"`
}

// ReleaseHold removes a hold.
func ReleaseHold(ctx context.Context, req ReleaseHoldRequest) (struct{}, error) {
	return struct{}{}, ns.Remove(ctx, "hold:"+req.Depot+":"+req.ID)
}

// ListHoldsRequest pages through a depot's holds.
type ListHoldsRequest struct {
	Depot  string `json:"-"`
	Cursor string `json:"-"`
}

// Bind implements httpx.Binder.
func (l *ListHoldsRequest) Bind(r *http.Request) error {
	l.Depot, l.Cursor = r.PathValue("depot"), r.URL.Query().Get("cursor")
	return nil
}

// ListHoldsResponse is one page of holds.
type ListHoldsResponse struct {
	Holds  []string `json:"holds"`
	Cursor string   `json:"cursor,omitempty"`
}

// ListHolds returns one page of hold keys; the caller follows the cursor.
func ListHolds(ctx context.Context, req ListHoldsRequest) (ListHoldsResponse, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(ns.AccountID),
		Prefix:    cloudflare.F("hold:" + req.Depot + ":"),
		Limit:     cloudflare.F(2000.0), // EXPECT kvlimits
	}
	if req.Cursor != "" {
		params.Cursor = cloudflare.F(req.Cursor)
	}
	page, err := ns.Keys.List(ctx, ns.ID, params)
	if err != nil {
		return ListHoldsResponse{}, err
	}
	out := ListHoldsResponse{Cursor: page.ResultInfo.Cursors.After}
	for _, k := range page.Result {
		out.Holds = append(out.Holds, k.Name)
	}
	return out, nil
}

// SetHoursRequest changes one day range of a depot's opening hours.
type SetHoursRequest struct {
	Depot string `json:"depot"`
	Days  string `json:"days"`
	Hours string `json:"hours"`
}

// SetHours updates a depot's opening hours.
func SetHours(ctx context.Context, req SetHoursRequest) (Settings, error) {
	key := "settings:" + req.Depot
	s := defaultSettings(req.Depot)
	res, err := ns.Values.Get(ctx, ns.ID, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(ns.AccountID)}) // EXPECT kvnull
	if err == nil {
		derr := json.NewDecoder(res.Body).Decode(&s)
		res.Body.Close()
		if derr != nil {
			return Settings{}, derr
		}
	}
	if s.Hours == nil {
		s.Hours = map[string]string{}
	}
	s.Hours[req.Days] = req.Hours
	b, _ := json.Marshal(s)
	_, err = ns.Values.Update(ctx, ns.ID, key, kv.NamespaceValueUpdateParams{ // EXPECT kvrace
		AccountID: cloudflare.F(ns.AccountID),
		Value:     cloudflare.F(string(b)),
	})
	return s, err
}

// BoardEntry is one depot on the public load board.
type BoardEntry struct {
	Depot string  `json:"depot"`
	Load  float64 `json:"load"`
}

// PublishBoard writes each depot's load for the edge load board. It runs
// from the five-minute cron.
func PublishBoard(ctx context.Context, depots []string) error {
	var errs []error
	board := make([]BoardEntry, 0, len(depots))
	for _, d := range depots {
		raw, ok, err := ns.Read(ctx, "capacity:"+d)
		if err != nil || !ok {
			errs = append(errs, fmt.Errorf("%s: read capacity: %v", d, err))
			continue
		}
		var c Capacity
		if err := json.Unmarshal(raw, &c); err != nil || c.Total == 0 {
			continue
		}
		e := BoardEntry{Depot: d, Load: float64(c.Held) / float64(c.Total)}
		board = append(board, e)
		one, _ := json.Marshal(e)
		if err := ns.Write(ctx, "board:"+d, one, 15*time.Minute); err != nil {
			errs = append(errs, err)
		}
		partial, _ := json.Marshal(board)
		_, err = ns.Values.Update(ctx, ns.ID, "board:current", kv.NamespaceValueUpdateParams{ // EXPECT kvhotkey
			AccountID: cloudflare.F(ns.AccountID),
			Value:     cloudflare.F(string(partial)),
		})
		if err != nil {
			errs = append(errs, err)
		}
	}
	all, _ := json.Marshal(board)
	if err := ns.Write(ctx, "board:index", all, 15*time.Minute); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// OpenSlots writes the intake slots of a day for a depot, one key per slot.
func OpenSlots(ctx context.Context, depot string, day time.Time, slots int) map[string]error {
	failed := map[string]error{}
	for i := range slots {
		start := day.Add(time.Duration(i) * 30 * time.Minute)
		key := fmt.Sprintf("slot:%s:%s", depot, start.Format("20060102T1504"))
		ttl := max(time.Until(start.Add(24*time.Hour)), time.Hour)
		if err := ns.Write(ctx, key, []byte(start.Format(time.RFC3339)), ttl); err != nil {
			failed[key] = err
		}
	}
	return failed
}

// ExpireHolds drops holds whose slot has closed and notes the last one
// handled for the operations dashboard.
func ExpireHolds(ctx context.Context, holds []Hold) error {
	var errs []error
	now := time.Now()
	for _, h := range holds {
		if h.SlotEnd.After(now) {
			continue
		}
		if err := ns.Remove(ctx, "hold:"+h.Depot+":"+h.ID); err != nil {
			errs = append(errs, err)
			continue
		}
		if err := ns.Write(ctx, "holds:last-expired", []byte(h.ID), 0); err != nil { // EXPECT kvhotkey
			log.Printf("last-expired: %v", err)
		}
	}
	return errors.Join(errs...)
}
