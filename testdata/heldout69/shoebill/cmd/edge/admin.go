//go:build js && wasm

package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"github.com/shoebill-iot/shoebill/internal/fleet"
)

const (
	sweepPageBudget = 25
	tokenPages      = 10
)

func adminOnly(r *http.Request) bool {
	return r.Header.Get("Cf-Access-Authenticated-User-Email") != ""
}

// handleSeen lists every device that checked in during the last week.
func handleSeen(w http.ResponseWriter, r *http.Request) {
	if !adminOnly(r) {
		fail(w, http.StatusForbidden, "admins only")
		return
	}
	ns, err := fleetKV()
	if err != nil {
		fail(w, http.StatusInternalServerError, "kv unavailable")
		return
	}
	opts := &kv.ListOptions{
		Prefix: fleet.PrefixSeen,
		Limit:  5000, // EXPECT kvlimits
	}
	var devices []string
	for {
		res, err := ns.List(opts) // EXPECT kvlist
		if err != nil {
			fail(w, http.StatusServiceUnavailable, "list failed")
			return
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			devices = append(devices, strings.TrimPrefix(k.Name, fleet.PrefixSeen))
		}
		opts.Cursor = res.Cursor
	}
	writeJSON(w, http.StatusOK, map[string]any{"devices": devices, "count": len(devices)})
}

// handleTokens lists issued device tokens with their expiry.
func handleTokens(w http.ResponseWriter, r *http.Request) {
	if !adminOnly(r) {
		fail(w, http.StatusForbidden, "admins only")
		return
	}
	ns, err := fleetKV()
	if err != nil {
		fail(w, http.StatusInternalServerError, "kv unavailable")
		return
	}
	type entry struct {
		ID      string `json:"id"`
		Expires int    `json:"expires"`
	}
	var out []entry
	res, err := ns.List(&kv.ListOptions{Prefix: fleet.PrefixToken, Limit: 1000})
	for page := 0; err == nil && page < tokenPages; page++ {
		for _, k := range res.Keys {
			out = append(out, entry{ID: strings.TrimPrefix(k.Name, fleet.PrefixToken), Expires: k.Expiration})
		}
		if res.ListComplete {
			break
		}
		res, err = ns.List(&kv.ListOptions{Cursor: res.Cursor, Limit: 1000}) // EXPECT kvlist
	}
	if err != nil {
		fail(w, http.StatusServiceUnavailable, "list failed")
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// sweepSeen runs from the Worker's hourly cron trigger. It records which
// devices went quiet, reading expirations from the listing only, and stops
// after sweepPageBudget pages.
func sweepSeen(ctx context.Context) error {
	ns, err := fleetKV()
	if err != nil {
		return err
	}
	cutoff := time.Now().Add(-24 * time.Hour).Add(time.Duration(seenTTL) * time.Second).Unix()
	quiet := 0
	opts := &kv.ListOptions{Prefix: fleet.PrefixSeen, Limit: 1000}
	for range sweepPageBudget {
		res, err := ns.List(opts)
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			if k.Expiration != 0 && int64(k.Expiration) < cutoff {
				quiet++
			}
		}
		if res.ListComplete || res.Cursor == "" {
			break
		}
		opts.Cursor = res.Cursor
	}
	return ns.PutString("edge:sweep:last", fmt.Sprintf(`{"quiet":%d,"at":%d}`, quiet, time.Now().Unix()), &kv.PutOptions{ExpirationTTL: 2 * 3600})
}
