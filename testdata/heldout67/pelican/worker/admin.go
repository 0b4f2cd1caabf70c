//go:build js && wasm

package main

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/syumai/workers/cloudflare/kv"
)

const maxAdminPages = 10

func (g *gateway) authorized(r *http.Request) bool {
	return g.adminTok != "" && r.Header.Get("Authorization") == "Bearer "+g.adminTok
}

// adminKeys dumps every published key record for support staff.
func (g *gateway) adminKeys(w http.ResponseWriter, r *http.Request) {
	if !g.authorized(r) {
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	out := map[string]json.RawMessage{}
	cursor := ""
	for {
		res, err := g.keys.List(&kv.ListOptions{ // EXPECT kvlist
			Prefix: "ak:",
			Limit:  5000, // EXPECT kvlimits
			Cursor: cursor,
		})
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			v, err := g.keys.GetString(k.Name, nil) // EXPECT kvlist
			if err != nil || v == nullValue {
				continue
			}
			out[strings.TrimPrefix(k.Name, "ak:")] = json.RawMessage(v)
		}
		cursor = res.Cursor
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}

// adminPlans lists plan codes, a page budget at a time.
func (g *gateway) adminPlans(w http.ResponseWriter, r *http.Request) {
	if !g.authorized(r) {
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	var codes []string
	opts := &kv.ListOptions{Prefix: "plan:", Limit: 1000}
	for page := 0; page < maxAdminPages; page++ {
		res, err := g.keys.List(opts)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		for _, k := range res.Keys {
			codes = append(codes, strings.TrimPrefix(k.Name, "plan:"))
		}
		if res.ListComplete {
			break
		}
		opts.Cursor = res.Cursor
	}
	_ = json.NewEncoder(w).Encode(codes)
}

// adminNegative reports how many unknown keys are currently cached.
func (g *gateway) adminNegative(w http.ResponseWriter, r *http.Request) {
	if !g.authorized(r) {
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	total := 0
	opts := &kv.ListOptions{Prefix: "neg:"}
	for page := 0; page < maxAdminPages; page++ {
		res, err := g.keys.List(opts) // EXPECT kvlist
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		total += len(res.Keys)
		if res.ListComplete {
			break
		}
		opts = &kv.ListOptions{Cursor: res.Cursor}
	}
	_ = json.NewEncoder(w).Encode(map[string]int{"negative": total})
}
