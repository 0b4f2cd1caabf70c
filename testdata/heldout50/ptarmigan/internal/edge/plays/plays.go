//go:build js && wasm

// Package plays receives the player's listening beacons at the edge.
package plays

import (
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare"

	"ptarmigan/internal/edge/kvbind"
	"ptarmigan/internal/kinds"
)

// Beacon is one event sent by the player.
type Beacon struct {
	Event      string `json:"event"` // start, progress, complete
	EpisodeID  string `json:"episode_id"`
	ShowID     string `json:"show_id"`
	ListenerID string `json:"listener_id"`
	Position   int    `json:"position"`
}

// Plays stores what the beacons tell.
type Plays struct {
	tallies    kvbind.Bucket
	nowPlaying kvbind.Bucket
	positions  kvbind.Bucket
	lastPlayed kvbind.Bucket
	charts     kvbind.Bucket
}

// New returns a Plays storing under root.
func New(root kvbind.Bucket) *Plays {
	return &Plays{
		tallies:    root.Scope(kinds.PlayTally.Prefix()),
		nowPlaying: root.Scope(kinds.NowPlaying.Prefix()),
		positions:  root.Scope("position"),
		lastPlayed: root.Scope("last-played"),
		charts:     root.Scope("edge-charts"),
	}
}

// ServeBeacon handles POST /api/plays.
func (p *Plays) ServeBeacon(w http.ResponseWriter, r *http.Request) {
	var b Beacon
	if err := json.NewDecoder(r.Body).Decode(&b); err != nil || b.EpisodeID == "" || b.ShowID == "" {
		http.Error(w, "bad beacon", http.StatusBadRequest)
		return
	}
	if b.Event == "start" {
		if err := p.tally(b.EpisodeID); err != nil {
			http.Error(w, "tally failed", http.StatusBadGateway)
			return
		}
		if err := p.charts.Put("recent-play", b.EpisodeID, time.Hour); err != nil { // EXPECT kvhotkey
			http.Error(w, "charts failed", http.StatusBadGateway)
			return
		}
	}
	if b.ListenerID != "" {
		if err := p.nowPlaying.Scope(b.ShowID).Put(b.ListenerID, b.EpisodeID, kinds.NowPlaying.TTL()); err != nil { // EXPECT kvttl
			http.Error(w, "now playing failed", http.StatusBadGateway)
			return
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

func (p *Plays) tally(episodeID string) error {
	raw, ok, err := p.tallies.Get(episodeID)
	if err != nil {
		return err
	}
	n := 0
	if ok {
		if n, err = strconv.Atoi(raw); err != nil {
			return err
		}
	}
	return p.tallies.Put(episodeID, strconv.Itoa(n+1), 0) // EXPECT kvcounter|kvrace
}

// ServeBatch handles POST /api/plays/batch: the player sends its queued
// progress events when it comes back online.
func (p *Plays) ServeBatch(w http.ResponseWriter, r *http.Request) {
	var batch struct {
		ListenerID string   `json:"listener_id"`
		Events     []Beacon `json:"events"`
	}
	if err := json.NewDecoder(r.Body).Decode(&batch); err != nil || batch.ListenerID == "" {
		http.Error(w, "bad batch", http.StatusBadRequest)
		return
	}
	pos := p.positions.Scope(batch.ListenerID)
	for _, ev := range batch.Events {
		if ev.Event != "progress" {
			continue
		}
		mark := ev.EpisodeID + "@" + strconv.Itoa(ev.Position)
		if err := pos.Put("current", mark, 90*24*time.Hour); err != nil { // EXPECT kvhotkey
			http.Error(w, "position failed", http.StatusBadGateway)
			return
		}
	}
	episodes := make(map[string]bool, len(batch.Events))
	for _, ev := range batch.Events {
		episodes[ev.EpisodeID] = true
	}
	for _, ep := range slices.Sorted(maps.Keys(episodes)) {
		if err := p.lastPlayed.Put(ep, batch.ListenerID, time.Hour); err != nil {
			http.Error(w, "last played failed", http.StatusBadGateway)
			return
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

// ServeTally handles GET /api/episodes/{id}/plays.
func (p *Plays) ServeTally(w http.ResponseWriter, r *http.Request) {
	raw, err := p.tallies.Raw(r.PathValue("id")) // EXPECT kvnull
	if err != nil {
		http.Error(w, "tally unavailable", http.StatusBadGateway)
		return
	}
	n, err := strconv.Atoi(raw)
	if err != nil {
		http.Error(w, "tally corrupt", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]int{"plays": n})
}

// ServeLive handles GET /api/shows/{show}/live: how many listeners are
// playing the show right now.
func (p *Plays) ServeLive(w http.ResponseWriter, r *http.Request) {
	show := p.nowPlaying.Scope(r.PathValue("show"))
	res, err := show.Namespace().List(&cloudflare.KVNamespaceListOptions{Prefix: show.Prefix()}) // EXPECT kvlist
	if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]int{"listening": len(res.Keys)})
}
