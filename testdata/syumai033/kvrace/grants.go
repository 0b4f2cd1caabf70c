package kvrace

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// A namespace of the team's own, with the SDK's embedded: its methods
// are called as the store's.
type grantStore struct {
	*kv.Namespace
	prefix string
}

func (g *grantStore) key(kind, id string) string { return g.prefix + kind + ":" + id }

func (g *grantStore) putRecord(key string, v any, ttl time.Duration) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return g.PutString(key, string(b), &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())})
}

// periodOf names the day that began at resetHour.
func periodOf(now time.Time, resetHour int) string {
	return now.UTC().Add(-time.Duration(resetHour) * time.Hour).Format("2006-01-02")
}

func untilReset(now time.Time, resetHour int) time.Duration {
	next := time.Date(now.Year(), now.Month(), now.Day()+1, resetHour, 0, 0, 0, time.UTC)
	return max(next.Sub(now), time.Minute)
}

type grant struct {
	Coins int    `json:"coins"`
	Day   string `json:"day"`
}

var errGranted = errors.New("already granted today")

// A grant once a day: two requests both find the day's key free, and
// both grant. Its lifetime runs to the next day, however short that is.
func (g *grantStore) claimDaily(player string, resetHour int) (grant, error) {
	now := time.Now()
	day := periodOf(now, resetHour)
	key := g.key("daily", player+"/"+day)
	v, err := g.GetString(key, nil)
	if err != nil {
		return grant{}, err
	}
	if v != "<null>" {
		return grant{}, errGranted
	}
	gr := grant{Coins: 10 + rand.IntN(90), Day: day}
	return gr, g.putRecord(key, gr, untilReset(now, resetHour)) // want `check-then-create`
}

// Quiet: a reminder stamped for five minutes is a cooldown, not a claim.
func (g *grantStore) nudge(player string) error {
	key := g.key("nudge", player)
	v, err := g.GetString(key, nil)
	if err != nil || v != "<null>" {
		return err
	}
	return g.PutString(key, time.Now().Format(time.RFC3339), &kv.PutOptions{ExpirationTTL: 300})
}

// A code written where it is free or already the claimant's: a claim,
// and the owner compared is no old code overwritten.
func (g *grantStore) claimInvite(code, player string) error {
	key := g.key("invite", code)
	owner, err := g.GetString(key, nil)
	if err != nil {
		return err
	}
	if owner != "<null>" && owner != player {
		return errGranted
	}
	return g.PutString(key, player, nil) // want `check-then-create`
}

type order struct {
	ID      string   `json:"id"`
	Status  string   `json:"status"`
	History []string `json:"history"`
}

// The record written back under the key of its own id: the same key.
func (g *grantStore) cancel(id string) error {
	raw, err := g.GetString(g.key("order", id), nil)
	if err != nil || raw == "<null>" {
		return errGranted
	}
	var o order
	if err := json.Unmarshal([]byte(raw), &o); err != nil {
		return err
	}
	o.Status = "cancelled"
	o.History = append(o.History, "cancelled")
	return g.putRecord(g.key("order", o.ID), o, 0) // want `read-modify-write`
}
