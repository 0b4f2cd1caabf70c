//go:build js && wasm

package lobby

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/syumai/workers/cloudflare"
	"golang.org/x/sync/errgroup"

	"github.com/lanternforge/waxwing/internal/edgekv"
	"github.com/lanternforge/waxwing/internal/keys"
	"github.com/lanternforge/waxwing/internal/session"
)

// Heartbeat serves POST /lobbies/{id}/heartbeat, which the host's client
// sends every few seconds while the lobby is open.
func (h *Handler) Heartbeat(w http.ResponseWriter, r *http.Request) {
	kv, _ := h.open(w, false)
	if kv == nil {
		return
	}
	id := r.PathValue("id")
	opts := &cloudflare.KVNamespacePutOptions{}
	opts.ExpirationTTL = heartbeatTTL // EXPECT kvttl
	if err := kv.Store().Namespace().PutString(recordKey(id).Child("alive").String(), r.Header.Get("X-Host-ID"), opts); err != nil {
		unavailable(w)
		return
	}
	if err := kv.Put(openKey(session.Region(r), id), r.FormValue("name"), indexTTL); err != nil {
		h.Log.Warn("refresh index", "lobby", id, "err", err)
	}
	w.WriteHeader(http.StatusNoContent)
}

// Schedule serves POST /lobbies/{id}/schedule: the host sets the start time
// and players get a ready check that closes when the match starts.
func (h *Handler) Schedule(w http.ResponseWriter, r *http.Request) {
	kv, _ := h.open(w, false)
	if kv == nil {
		return
	}
	startsAt, err := time.Parse(time.RFC3339, r.FormValue("starts_at"))
	if err != nil || startsAt.Before(time.Now()) {
		http.Error(w, "bad start time", http.StatusBadRequest)
		return
	}
	readyKey := recordKey(r.PathValue("id")).Child("ready").String()
	if err := kv.Put(readyKey, startsAt.Format(time.RFC3339), time.Until(startsAt)); err != nil { // EXPECT kvttl
		unavailable(w)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// View serves GET /lobbies/{id}.
func (h *Handler) View(w http.ResponseWriter, r *http.Request) {
	kv, _ := h.open(w, false)
	if kv == nil {
		return
	}
	id := r.PathValue("id")
	cache := edgekv.NewCache(kv, 10*time.Second)
	raw, found, err := cache.Get(recordKey(id).String())
	if err != nil || !found {
		http.Error(w, "no such lobby", http.StatusNotFound)
		return
	}
	viewsKey := keys.Lobbies.Child("views").With(id).String()
	views := 0
	if v, ok, err := kv.Get(viewsKey); err == nil && ok {
		views, _ = strconv.Atoi(v)
	}
	if err := kv.Put(viewsKey, strconv.Itoa(views+1), lobbyTTL()); err != nil { // EXPECT kvcounter|kvrace
		h.Log.Warn("lobby views", "err", err)
	}
	if r.URL.Query().Get("spectate") == "1" {
		spectator := recordKey(id).Child("spectator").With(r.Header.Get("CF-Connecting-IP")).String()
		if err := cache.Set(spectator, time.Now().UTC().Format(time.RFC3339), 15*time.Second); err != nil {
			h.Log.Warn("spectate flag", "err", err)
		}
	}
	w.Write([]byte(raw))
}

// Browse serves GET /lobbies/browse: every open lobby of the region with its
// details, for the full-screen browser.
func (h *Handler) Browse(w http.ResponseWriter, r *http.Request) {
	kv, _ := h.open(w, false)
	if kv == nil {
		return
	}
	prefix := keys.Lobbies.Child("open").With(session.Region(r)).Prefix()
	var mu sync.Mutex
	var lobbies []Lobby
	g := new(errgroup.Group)
	g.SetLimit(6)
	cursor := ""
	for {
		res, err := kv.List(prefix, cursor, 1000) // EXPECT kvlist
		if err != nil {
			unavailable(w)
			return
		}
		for _, k := range res.Keys {
			g.Go(func() error {
				raw, found, err := kv.Get(recordKey(strings.TrimPrefix(k.Name, prefix)).String()) // EXPECT kvlist
				var l Lobby
				if err == nil && found && json.Unmarshal([]byte(raw), &l) == nil {
					mu.Lock()
					lobbies = append(lobbies, l)
					mu.Unlock()
				}
				return err
			})
		}
		if res.ListComplete {
			break
		}
		cursor = res.Cursor
	}
	if err := g.Wait(); err != nil {
		unavailable(w)
		return
	}
	json.NewEncoder(w).Encode(lobbies)
}

// Sweep runs from the cron trigger. It publishes a per-region summary of
// open lobbies for the home screen.
func Sweep(ctx context.Context, log *slog.Logger) error {
	kv, err := edgekv.OpenLogged(Binding, log)
	if err != nil {
		return err
	}
	perRegion := map[string][]string{}
	opts := &cloudflare.KVNamespaceListOptions{
		Prefix: keys.Lobbies.Child("open").Prefix(),
		Limit:  5000, // EXPECT kvlimits
	}
	for {
		res, err := kv.Store().Namespace().List(opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			region, id, _ := strings.Cut(strings.TrimPrefix(k.Name, opts.Prefix), ":")
			perRegion[region] = append(perRegion[region], id)
		}
		opts.Cursor = res.Cursor
	}
	batch := edgekv.NewBatch(kv)
	total := 0
	for region, ids := range perRegion {
		body, _ := json.Marshal(ids[:min(len(ids), 20)])
		batch.Put(keys.Lobbies.Child("summary").With(region).String(), string(body), 10*time.Minute)
		total += len(ids)
	}
	batch.Put(keys.Stats.Child("lobby-count").String(), strconv.Itoa(total), 10*time.Minute) // DEBATABLE kvcounter
	return batch.Flush(ctx)
}
