package kvsession

import (
	"encoding/json"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

type sweptSession struct {
	CustomerID string    `json:"customer_id"`
	Expires    time.Time `json:"expires"`
}

// A sweep that ends the sessions of the customers it is told are
// disabled: a forced logout, still valid elsewhere for a minute.
func sweepDisabledSessions(ns *kv.Namespace, disabled map[string]bool) (int, error) { // want sweepDisabledSessions:"kvsession"
	res, err := ns.List(&kv.ListOptions{Prefix: "sess:", Limit: 200})
	if err != nil {
		return 0, err
	}
	removed := 0
	for _, k := range res.Keys {
		raw, err := ns.GetString(k.Name, nil)
		if err != nil || raw == "<null>" {
			continue
		}
		var s sweptSession
		if json.Unmarshal([]byte(raw), &s) == nil && disabled[s.CustomerID] {
			if ns.Delete(k.Name) == nil { // want `A session revoked or consumed`
				removed++
			}
		}
	}
	return removed, nil
}

// Quiet: a sweep of what has expired, whoever it was for.
func sweepLapsedSessions(ns *kv.Namespace, now time.Time) (int, error) {
	res, err := ns.List(&kv.ListOptions{Prefix: "sess:", Limit: 200})
	if err != nil {
		return 0, err
	}
	removed := 0
	for _, k := range res.Keys {
		raw, err := ns.GetString(k.Name, nil)
		if err != nil || raw == "<null>" {
			continue
		}
		var s sweptSession
		if json.Unmarshal([]byte(raw), &s) == nil && s.Expires.Before(now) {
			if ns.Delete(k.Name) == nil {
				removed++
			}
		}
	}
	return removed, nil
}
