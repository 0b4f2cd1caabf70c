// Package handler serves /api/player: the web player's resume position and
// session keep-alive.
package handler

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/ruru-fm/ruru/internal/kvclient"
	"github.com/ruru-fm/ruru/internal/podcast"
	"github.com/ruru-fm/ruru/internal/vercelkv"
)

type progress struct {
	EpisodeID   string `json:"episodeId"`
	PositionSec int    `json:"positionSec"`
}

// Handler returns the session's resume state on GET and records playback
// progress on POST.
func Handler(w http.ResponseWriter, r *http.Request) {
	sid := vercelkv.SessionID(r)
	if sid == "" {
		http.Error(w, "not signed in", http.StatusUnauthorized)
		return
	}
	st, cfg, err := vercelkv.Store()
	if err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	ctx := r.Context()
	key := podcast.SessionKey(sid)
	raw, err := st.Get(ctx, key)
	if errors.Is(err, kvclient.ErrNotFound) {
		vercelkv.ClearSession(w)
		http.Error(w, "session expired", http.StatusUnauthorized)
		return
	} else if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	var sess podcast.PlayerSession
	if err := json.Unmarshal(raw, &sess); err != nil {
		http.Error(w, "corrupt session", http.StatusInternalServerError)
		return
	}

	switch r.Method {
	case http.MethodGet:
		if err := st.Put(ctx, key, raw, cfg.SessionTTL); err != nil { // EXPECT kvsession|kvrace
			http.Error(w, "unavailable", http.StatusBadGateway)
			return
		}
		vercelkv.SetSession(w, sid, cfg.SessionTTL)
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(sess)
	case http.MethodPost:
		var p progress
		if err := json.NewDecoder(r.Body).Decode(&p); err != nil || p.EpisodeID == "" {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		sess.LastEpisode, sess.PositionSec = p.EpisodeID, max(p.PositionSec, 0)
		if err := st.PutJSON(ctx, key, sess, cfg.SessionTTL); err != nil { // EXPECT kvsession|kvrace
			http.Error(w, "unavailable", http.StatusBadGateway)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}
