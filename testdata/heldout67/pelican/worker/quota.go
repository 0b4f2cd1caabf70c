//go:build js && wasm

package main

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

const planCacheTTL = 15

type edgePlan struct {
	Code      string `json:"code"`
	PerMinute int    `json:"rpm"`
	PerDay    int    `json:"rpd"`
}

func (g *gateway) planFor(code string) (edgePlan, error) {
	var p edgePlan
	raw, err := g.keys.GetString("plan:"+code, &kv.GetOptions{ // EXPECT kvnull
		CacheTTL: planCacheTTL, // EXPECT kvttl
	})
	if err != nil {
		return p, err
	}
	err = json.Unmarshal([]byte(raw), &p)
	return p, err
}

// limitFor applies a per-key override when one is published.
func (g *gateway) limitFor(hash string, p edgePlan) int {
	v, err := g.keys.GetString("limits:"+hash, &kv.GetOptions{CacheTTL: 60})
	if err != nil || v == nullValue {
		return p.PerMinute
	}
	if n, err := strconv.Atoi(v); err == nil && n > 0 {
		return n
	}
	return p.PerMinute
}

func endOfUTCDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC)
}

// allow applies the per-minute and per-day quotas of the caller's plan and
// returns a Retry-After value when the request is refused.
func (g *gateway) allow(id identity) (string, bool) {
	p, err := g.planFor(id.Record.Plan)
	if err != nil {
		return "", true
	}
	now := time.Now().UTC()
	minuteKey := fmt.Sprintf("quota:%s:%d", id.Hash, now.Unix()/60)
	used := 0
	if v, err := g.usage.GetString(minuteKey, nil); err == nil && v != nullValue {
		used, _ = strconv.Atoi(v)
	}
	if used >= g.limitFor(id.Hash, p) {
		return strconv.Itoa(60 - now.Second()), false
	}
	_ = g.usage.PutString(minuteKey, strconv.Itoa(used+1), &kv.PutOptions{ExpirationTTL: 120}) // EXPECT kvcounter|kvrace

	dayKey := fmt.Sprintf("quota_day:%s:%s", id.Hash, now.Format("20060102"))
	today := 0
	if v, err := g.usage.GetString(dayKey, nil); err == nil && v != nullValue {
		today, _ = strconv.Atoi(v)
	}
	if p.PerDay > 0 && today >= p.PerDay {
		return strconv.Itoa(int(time.Until(endOfUTCDay(now)).Seconds())), false
	}
	_ = g.usage.PutString(dayKey, strconv.Itoa(today+1), &kv.PutOptions{ // EXPECT kvcounter|kvrace
		Expiration: int(endOfUTCDay(now).Add(24 * time.Hour).UnixMilli()), // EXPECT kvttl
	})

	_ = g.usage.PutString("edge:last_request", now.Format(time.RFC3339), nil) // EXPECT kvhotkey
	return "", true
}
