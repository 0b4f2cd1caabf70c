//go:build js && wasm

// Command edge is the Worker in front of the API: it takes matchmaking
// entries and tracks lobby presence at the edge.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"
)

const (
	entriesPerMinute = 10
	ticketTTL        = 120
	lobbyCacheTTL    = 10
)

type entry struct {
	ID       string `json:"id"`
	PlayerID string `json:"playerId"`
	Mode     string `json:"mode"`
	Region   string `json:"region"`
	Created  int64  `json:"created"`
}

func kvOrFail(w http.ResponseWriter, binding string) *cloudflare.KVNamespace {
	ns, err := cloudflare.NewKVNamespace(binding)
	if err != nil {
		http.Error(w, "binding "+binding+" missing", http.StatusInternalServerError)
		return nil
	}
	return ns
}

func newID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// enter takes a matchmaking entry from a client.
func enter(w http.ResponseWriter, r *http.Request) {
	ns := kvOrFail(w, "MATCHMAKING")
	if ns == nil {
		return
	}
	ip := r.Header.Get("CF-Connecting-IP")
	rlKey := "rl:mm:" + ip
	v, err := ns.GetString(rlKey, nil)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if v == "" { // EXPECT kvnull
		v = "0"
	}
	n, _ := strconv.Atoi(v)
	if n >= entriesPerMinute {
		http.Error(w, "slow down", http.StatusTooManyRequests)
		return
	}
	if err := ns.PutString(rlKey, strconv.Itoa(n+1), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 60}); err != nil { // EXPECT kvcounter|kvrace
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}

	var e entry
	if err := json.NewDecoder(r.Body).Decode(&e); err != nil {
		http.Error(w, "bad entry", http.StatusBadRequest)
		return
	}
	e.ID, e.Created = newID(), time.Now().Unix()
	b, _ := json.Marshal(e)
	if err := ns.PutString("mm:ticket:"+e.Region+":"+e.ID, string(b), &cloudflare.KVNamespacePutOptions{ExpirationTTL: ticketTTL}); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	_ = ns.PutString("edge:last_entry", e.Region+":"+e.ID, nil) // EXPECT kvhotkey
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	_, _ = w.Write(b)
}

type lobbyDoc struct {
	ID      string   `json:"id"`
	Host    string   `json:"host"`
	Members []string `json:"members"`
}

// lobby returns the mirrored lobby document.
func lobby(w http.ResponseWriter, r *http.Request) {
	ns := kvOrFail(w, "STATE")
	if ns == nil {
		return
	}
	raw, err := ns.GetString("lobby:"+r.PathValue("id"), // EXPECT kvnull
		&cloudflare.KVNamespaceGetOptions{CacheTTL: lobbyCacheTTL}) // EXPECT kvttl
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	var doc lobbyDoc
	if err := json.Unmarshal([]byte(raw), &doc); err != nil {
		http.Error(w, "corrupt lobby", http.StatusInternalServerError)
		return
	}
	writeJSON(w, doc)
}

// profile returns a cached player profile.
func profile(w http.ResponseWriter, r *http.Request) {
	ns := kvOrFail(w, "STATE")
	if ns == nil {
		return
	}
	raw, err := ns.GetString("player:"+r.PathValue("id"), &cloudflare.KVNamespaceGetOptions{CacheTTL: 300})
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if raw == "<null>" {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(raw))
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /mm/enter", enter)
	mux.HandleFunc("GET /lobby/{id}", lobby)
	mux.HandleFunc("GET /player/{id}", profile)
	mux.HandleFunc("PUT /lobby/{id}/presence", presence)
	mux.HandleFunc("GET /lobby/{id}/members", members)
	mux.HandleFunc("POST /lobby/{id}/chat", chat)
	mux.HandleFunc("POST /lobby/{id}/broadcast", broadcast)
	mux.HandleFunc("GET /admin/tickets", adminTickets)
	mux.HandleFunc("GET /admin/regions", adminRegions)

	cron.ScheduleTaskNonBlock(func(ctx context.Context) error {
		ev, err := cron.NewEvent(ctx)
		if err != nil {
			return err
		}
		ns, err := cloudflare.NewKVNamespace("STATE")
		if err != nil {
			return err
		}
		return ns.PutString("edge:cron:last", ev.ScheduledTime.Format(time.RFC3339), &cloudflare.KVNamespacePutOptions{
			Expiration: int(time.Now().Add(10 * time.Minute).Unix()),
		})
	})
	workers.Serve(mux)
}
