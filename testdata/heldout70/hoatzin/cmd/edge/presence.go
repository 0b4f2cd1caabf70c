//go:build js && wasm

package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
)

const (
	presenceTTL = 30
	maxPages    = 10
)

// presence marks the caller as present in a lobby.
func presence(w http.ResponseWriter, r *http.Request) {
	ns := kvOrFail(w, "PRESENCE")
	if ns == nil {
		return
	}
	id, player := r.PathValue("id"), r.Header.Get("X-Player-ID")
	seen := map[string]int64{}
	raw, err := ns.GetString("presence:"+id, nil)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if raw != "<null>" {
		_ = json.Unmarshal([]byte(raw), &seen)
	}
	seen[player] = time.Now().Unix()
	b, _ := json.Marshal(seen)
	if err := ns.PutString("presence:"+id, string(b), &cloudflare.KVNamespacePutOptions{ // EXPECT kvrace
		ExpirationTTL: presenceTTL, // EXPECT kvttl
	}); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	_ = ns.PutString("presence:"+id+":"+player, "1", &cloudflare.KVNamespacePutOptions{ExpirationTTL: 90})
	w.WriteHeader(http.StatusNoContent)
}

// members lists the players present in a lobby.
func members(w http.ResponseWriter, r *http.Request) {
	ns := kvOrFail(w, "PRESENCE")
	if ns == nil {
		return
	}
	prefix := "presence:" + r.PathValue("id") + ":"
	var out []string
	opts := &cloudflare.KVNamespaceListOptions{Prefix: prefix}
	for {
		res, err := ns.List(opts) // EXPECT kvlist
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			out = append(out, strings.TrimPrefix(k.Name, prefix))
		}
		opts.Cursor = res.Cursor
	}
	writeJSON(w, out)
}

// chat appends a line to the lobby's recent chat.
func chat(w http.ResponseWriter, r *http.Request) {
	ns := kvOrFail(w, "PRESENCE")
	if ns == nil {
		return
	}
	var msg struct {
		From string `json:"from"`
		Text string `json:"text"`
	}
	if err := json.NewDecoder(r.Body).Decode(&msg); err != nil {
		http.Error(w, "bad message", http.StatusBadRequest)
		return
	}
	k := "chat:" + r.PathValue("id")
	old, err := ns.GetString(k, nil)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if old == "<null>" {
		old = ""
	}
	line := msg.From + ": " + strings.ReplaceAll(msg.Text, "\n", " ") + "\n"
	if err := ns.PutString(k, old+line, &cloudflare.KVNamespacePutOptions{ExpirationTTL: 3600}); err != nil { // EXPECT kvrace
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// broadcast pushes the host's lobby state to every member's inbox.
func broadcast(w http.ResponseWriter, r *http.Request) {
	ns := kvOrFail(w, "PRESENCE")
	if ns == nil {
		return
	}
	id := r.PathValue("id")
	var state struct {
		Members []string `json:"members"`
		Phase   string   `json:"phase"`
	}
	if err := json.NewDecoder(r.Body).Decode(&state); err != nil {
		http.Error(w, "bad state", http.StatusBadRequest)
		return
	}
	for _, m := range state.Members {
		msg, _ := json.Marshal(map[string]string{"lobby": id, "phase": state.Phase})
		if err := ns.PutString("inbox:"+m+":"+id, string(msg), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 300}); err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		_ = ns.PutString("lobby:phase:"+id, state.Phase+":"+m, nil) // EXPECT kvhotkey
	}
	w.WriteHeader(http.StatusNoContent)
}

// adminTickets lists the waiting tickets of a region for the ops console.
func adminTickets(w http.ResponseWriter, r *http.Request) {
	ns := kvOrFail(w, "MATCHMAKING")
	if ns == nil {
		return
	}
	prefix := "mm:ticket:" + r.URL.Query().Get("region") + ":"
	var names []string
	res, err := ns.List(&cloudflare.KVNamespaceListOptions{Prefix: prefix, Limit: 1000})
	for page := 0; err == nil && page < maxPages; page++ {
		for _, k := range res.Keys {
			names = append(names, k.Name)
		}
		if res.ListComplete {
			break
		}
		res, err = ns.List(&cloudflare.KVNamespaceListOptions{Cursor: res.Cursor, Limit: 1000}) // EXPECT kvlist
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	writeJSON(w, names)
}

// adminRegions lists the configured regions, a bounded number of pages.
func adminRegions(w http.ResponseWriter, r *http.Request) {
	ns := kvOrFail(w, "MATCHMAKING")
	if ns == nil {
		return
	}
	var regions []string
	opts := &cloudflare.KVNamespaceListOptions{Prefix: "region:", Limit: 5000} // EXPECT kvlimits
	for range maxPages {
		res, err := ns.List(opts)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		for _, k := range res.Keys {
			regions = append(regions, strings.TrimPrefix(k.Name, "region:"))
		}
		if res.ListComplete {
			break
		}
		opts.Cursor = res.Cursor
	}
	writeJSON(w, regions)
}
