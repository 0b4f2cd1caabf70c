package rollup

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"time"

	"github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"
)

// Event is one listening event reported by a player.
type Event struct {
	EpisodeID string    `json:"episode_id"`
	ShowID    string    `json:"show_id"`
	Kind      string    `json:"kind"`
	Position  int       `json:"position"`
	At        time.Time `json:"at"`
}

// MakeIngest accepts batches of player events and stores each under a
// fresh key for the rollup jobs.
func MakeIngest(s *Store, retention time.Duration, maxBatch int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var events []Event
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&events); err != nil {
			http.Error(w, "bad batch", http.StatusBadRequest)
			return
		}
		if len(events) > maxBatch {
			events = events[:maxBatch]
		}
		pairs := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(events))
		for _, ev := range events {
			var id [12]byte
			_, _ = rand.Read(id[:])
			body, _ := json.Marshal(ev)
			pairs = append(pairs, kv.NamespaceBulkUpdateParamsBody{
				Key:           cloudflare.F("evt:" + ev.ShowID + ":" + hex.EncodeToString(id[:])),
				Value:         cloudflare.F(string(body)),
				ExpirationTTL: cloudflare.F(retention.Seconds()),
				Metadata:      cloudflare.F(map[string]interface{}{"ep": ev.EpisodeID, "kind": ev.Kind}),
			})
		}
		if err := s.putBulk(r.Context(), pairs); err != nil {
			http.Error(w, "store failed", http.StatusServiceUnavailable)
			return
		}
		stamp := []byte(s.clk.Now().Format(time.RFC3339Nano))
		if err := s.put(r.Context(), "ingest:last-seen", stamp, ""); err != nil { // EXPECT kvhotkey
			log.Printf("ingest: stamp: %v", err)
		}
		w.WriteHeader(http.StatusAccepted)
	}
}

// MakeSnapshot serves a day's rollup to the creator dashboard.
func MakeSnapshot(s *Store) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		day := r.PathValue("day")
		resp, err := s.values().Get(r.Context(), s.nsID, "rollup:daily:"+day, kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.accountID)})
		if err != nil {
			http.Error(w, "upstream error", http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			http.Error(w, "upstream error", http.StatusBadGateway)
			return
		}
		if len(body) == 0 { // EXPECT kvnull
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}
}

// MakeKeysPage lists one page of a creator's raw event keys for the export
// tool; the client passes the returned cursor back for the next page.
func MakeKeysPage(s *Store) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		params := s.listParams("evt:" + r.PathValue("show") + ":")
		if c := r.URL.Query().Get("cursor"); c != "" {
			params.Cursor = cloudflare.F(c)
		}
		page, err := s.client.KV.Namespaces.Keys.List(r.Context(), s.nsID, params)
		if err != nil {
			http.Error(w, "upstream error", http.StatusBadGateway)
			return
		}
		names := make([]string, 0, len(page.Result))
		for _, k := range page.Result {
			names = append(names, k.Name)
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"keys": names, "cursor": page.ResultInfo.Cursor})
	}
}
