// Package shifts books courier shifts, keeps the per-zone rosters that
// dispatch reads at the start of each day, and exports worked shifts for
// payroll. It talks to Workers KV through the Cloudflare SDK directly.
package shifts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"example.com/bramble/internal/ids"
	"example.com/bramble/internal/platform/cfclient"
)

const dayLayout = "2006-01-02"

var ErrOverlap = errors.New("shifts: overlaps an existing booking")

// Shift is a booked block of work.
type Shift struct {
	Courier ids.CourierID `json:"courier"`
	Zone    ids.ZoneID    `json:"zone"`
	Start   time.Time     `json:"start"`
	End     time.Time     `json:"end"`
	Vehicle string        `json:"vehicle"`
}

// Day returns the shift's calendar day in UTC.
func (s Shift) Day() string { return s.Start.UTC().Format(dayLayout) }

// Roster lists the couriers booked in a zone on one day.
type Roster struct {
	Zone    ids.ZoneID    `json:"zone"`
	Day     string        `json:"day"`
	Entries []RosterEntry `json:"entries"`
	Updated time.Time     `json:"updated"`
}

// RosterEntry is one courier's slot on the roster.
type RosterEntry struct {
	Courier ids.CourierID `json:"courier"`
	Start   time.Time     `json:"start"`
	End     time.Time     `json:"end"`
}

// Service books and lists shifts.
type Service struct {
	ns       cfclient.Namespace
	breakLen time.Duration
}

// New returns a shift service on ns. breakLen comes from configuration.
func New(ns cfclient.Namespace, breakLen time.Duration) *Service {
	return &Service{ns: ns, breakLen: breakLen}
}

func shiftKey(c ids.CourierID, start time.Time) string {
	return fmt.Sprintf("shift:%s:%s", c, start.UTC().Format(time.RFC3339))
}

func rosterKey(z ids.ZoneID, day string) string { return "roster:" + string(z) + ":" + day }

func (s *Service) put(ctx context.Context, key string, v any, params kv.NamespaceValueUpdateParams) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	params.AccountID = cloudflare.F(s.ns.AccountID)
	params.Value = cloudflare.F(string(body))
	_, err = s.ns.KV.Values.Update(ctx, s.ns.ID, key, params)
	return err
}

// Book records a shift and adds the courier to the zone roster.
func (s *Service) Book(ctx context.Context, sh Shift) error {
	if !sh.End.After(sh.Start) {
		return fmt.Errorf("shifts: end %s is not after start %s", sh.End, sh.Start)
	}
	body, err := json.Marshal(sh)
	if err != nil {
		return err
	}
	_, err = s.ns.KV.Values.Update(ctx, s.ns.ID, shiftKey(sh.Courier, sh.Start), kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(s.ns.AccountID),
		Value:      cloudflare.F(string(body)),
		Expiration: cloudflare.F(float64(sh.End.Add(72 * time.Hour).UnixMilli())), // EXPECT kvttl
	})
	if err != nil {
		return fmt.Errorf("book shift: %w", err)
	}
	return s.addToRoster(ctx, sh)
}

func (s *Service) addToRoster(ctx context.Context, sh Shift) error {
	key := rosterKey(sh.Zone, sh.Day())
	roster := Roster{Zone: sh.Zone, Day: sh.Day()}
	res, err := s.ns.KV.Values.Get(ctx, s.ns.ID, key, s.ns.Account())
	switch {
	case cfclient.IsNotFound(err):
	case err != nil:
		return fmt.Errorf("load roster: %w", err)
	default:
		body, err := cfclient.ReadBody(res)
		if err != nil {
			return err
		}
		if err := json.Unmarshal(body, &roster); err != nil {
			return fmt.Errorf("decode roster %s: %w", key, err)
		}
	}
	for _, e := range roster.Entries {
		if e.Courier == sh.Courier && e.Start.Before(sh.End) && sh.Start.Before(e.End) {
			return ErrOverlap
		}
	}
	roster.Entries = append(roster.Entries, RosterEntry{Courier: sh.Courier, Start: sh.Start, End: sh.End})
	slices.SortFunc(roster.Entries, func(a, b RosterEntry) int { return a.Start.Compare(b.Start) })
	roster.Updated = time.Now().UTC()
	return s.put(ctx, key, roster, kv.NamespaceValueUpdateParams{ // EXPECT kvrace
		ExpirationTTL: cloudflare.F((14 * 24 * time.Hour).Seconds()),
	})
}

// StartBreak marks the courier as on break so dispatch skips them.
func (s *Service) StartBreak(ctx context.Context, c ids.CourierID) error {
	ttl := max(s.breakLen, time.Minute)
	return s.put(ctx, "shift:break:"+c.String(), map[string]any{"since": time.Now().UTC()}, kv.NamespaceValueUpdateParams{
		ExpirationTTL: cloudflare.F(ttl.Seconds()),
	})
}

// Finish hands a completed shift to the payout pipeline, which picks it up
// on its next run.
func (s *Service) Finish(ctx context.Context, sh Shift, deliveries int) error {
	summary, err := json.Marshal(map[string]any{"shift": sh, "deliveries": deliveries, "finished_at": time.Now().UTC()})
	if err != nil {
		return err
	}
	_, err = s.ns.KV.Values.Update(ctx, s.ns.ID, "shift:finished:"+sh.Courier.String(), kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(s.ns.AccountID),
		Value:      cloudflare.F(string(summary)),
		Expiration: cloudflare.F(float64(time.Now().Add(30 * time.Second).Unix())), // EXPECT kvttl
	})
	return err
}

// Page is one page of a courier's bookings.
type Page struct {
	Keys   []string `json:"keys"`
	Cursor string   `json:"cursor,omitempty"`
}

// Bookings returns one page of a courier's shift keys and the cursor for the
// next page.
func (s *Service) Bookings(ctx context.Context, c ids.CourierID, cursor string) (Page, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.ns.AccountID),
		Prefix:    cloudflare.F("shift:" + c.String() + ":"),
		Limit:     cloudflare.F(100.0),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	res, err := s.ns.KV.Keys.List(ctx, s.ns.ID, params)
	if err != nil {
		return Page{}, err
	}
	page := Page{Cursor: res.ResultInfo.Cursor}
	for _, k := range res.Result {
		page.Keys = append(page.Keys, k.Name)
	}
	return page, nil
}

// Upcoming returns the start times of the courier's next few shifts for the
// app's home screen.
func (s *Service) Upcoming(ctx context.Context, c ids.CourierID) ([]time.Time, error) {
	base := "shift:" + c.String() + ":"
	res, err := s.ns.KV.Keys.List(ctx, s.ns.ID, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.ns.AccountID),
		Prefix:    cloudflare.F(base + time.Now().UTC().Format("2006-01")),
		Limit:     cloudflare.F(float64(5)), // EXPECT kvlimits
	})
	if err != nil {
		return nil, err
	}
	var out []time.Time
	for _, k := range res.Result {
		if t, err := time.Parse(time.RFC3339, strings.TrimPrefix(k.Name, base)); err == nil && t.After(time.Now()) {
			out = append(out, t)
		}
	}
	return out, nil
}

// ExportMonth returns the names of all shift keys booked in a month, for the
// payroll export.
func (s *Service) ExportMonth(ctx context.Context, month time.Time) ([]string, error) {
	pager := s.ns.KV.Keys.ListAutoPaging(ctx, s.ns.ID, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(s.ns.AccountID),
		Prefix:    cloudflare.F("shift:"),
		Limit:     cloudflare.F(1000.0),
	})
	want := month.UTC().Format("2006-01")
	var names []string
	for pager.Next() {
		k := pager.Current()
		if strings.Contains(k.Name, ":"+want) {
			names = append(names, k.Name)
		}
	}
	return names, pager.Err()
}
