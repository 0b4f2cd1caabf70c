//go:build js && wasm

package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/kv"
)

func adminAuthorized(r *http.Request) bool {
	tok := cloudflare.Getenv("ADMIN_TOKEN")
	return tok != "" && r.Header.Get("Authorization") == "Bearer "+tok
}

// handleAdminKeys returns one page of keys and the cursor for the next.
func handleAdminKeys(w http.ResponseWriter, r *http.Request, ns *kv.Namespace) {
	if !adminAuthorized(r) {
		fail(w, http.StatusForbidden, "forbidden")
		return
	}
	q := r.URL.Query()
	res, err := ns.List(&kv.ListOptions{
		Prefix: q.Get("prefix"),
		Cursor: q.Get("cursor"),
		Limit:  2000, // EXPECT kvlimits
	})
	if err != nil {
		fail(w, http.StatusServiceUnavailable, "list failed")
		return
	}
	names := make([]string, 0, len(res.Keys))
	for _, k := range res.Keys {
		names = append(names, k.Name)
	}
	writeJSON(w, http.StatusOK, map[string]any{"keys": names, "cursor": res.Cursor, "complete": res.ListComplete})
}

// handleSweepHooks removes webhook registrations whose merchant is gone.
func handleSweepHooks(w http.ResponseWriter, r *http.Request, ns *kv.Namespace) {
	if !adminAuthorized(r) {
		fail(w, http.StatusForbidden, "forbidden")
		return
	}
	removed := 0
	opts := &kv.ListOptions{Prefix: "hook:", Limit: 1000}
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
			if k.Expiration != 0 {
				continue
			}
			raw, err := ns.GetString(k.Name, nil) // EXPECT kvlist
			if err != nil || raw == null {
				continue
			}
			var h hook
			if json.Unmarshal([]byte(raw), &h) != nil || h.MerchantID == "" {
				continue
			}
			if m, err := ns.GetString("merchant:"+h.MerchantID, &kv.GetOptions{CacheTTL: 300}); err == nil && m == null {
				if ns.Delete(k.Name) == nil {
					removed++
				}
			}
		}
		opts.Cursor = res.Cursor
	}
	writeJSON(w, http.StatusOK, map[string]int{"removed": removed})
}

// maxSweepPages bounds one cron run's sweep of replay markers.
const maxSweepPages = 10

// pruneReplayMarkers deletes event markers of merchants that were offboarded.
// Markers expire on their own; this only frees them early.
func pruneReplayMarkers(ns *kv.Namespace, now time.Time) error {
	offboarded, err := ns.GetString("config:offboarded", &kv.GetOptions{CacheTTL: 600})
	if err != nil || offboarded == null {
		return err
	}
	var merchants []string
	if err := json.Unmarshal([]byte(offboarded), &merchants); err != nil {
		return err
	}
	for _, m := range merchants {
		cursor := ""
		for page := 0; page < maxSweepPages; page++ {
			res, err := ns.List(&kv.ListOptions{Prefix: "evt:" + m + ":", Cursor: cursor, Limit: 1000})
			if err != nil {
				return err
			}
			for _, k := range res.Keys {
				if err := ns.Delete(k.Name); err != nil {
					return err
				}
			}
			if res.ListComplete {
				break
			}
			cursor = res.Cursor
		}
	}
	return nil
}

// collectSessions lists a customer's session keys for the portal's "signed-in
// devices" page.
func collectSessions(ns *kv.Namespace, customerID string) ([]string, error) {
	var names []string
	res, err := ns.List(&kv.ListOptions{Prefix: "sess-index:" + customerID + ":", Limit: 1000})
	for err == nil {
		for _, k := range res.Keys {
			names = append(names, strings.TrimPrefix(k.Name, "sess-index:"+customerID+":"))
		}
		if res.ListComplete {
			break
		}
		res, err = ns.List(&kv.ListOptions{Cursor: res.Cursor, Limit: 1000}) // EXPECT kvlist
	}
	return names, err
}
