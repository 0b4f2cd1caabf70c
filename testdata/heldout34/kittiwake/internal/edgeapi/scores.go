//go:build js && wasm

package edgeapi

import (
	"net/http"
	"strconv"

	"github.com/syumai/workers/cloudflare/kv"

	"kittiwake/internal/edgekv"
	"kittiwake/internal/keys"
	"kittiwake/internal/session"
)

type scoreSubmission struct {
	MatchID string `json:"match_id"`
	Score   int64  `json:"score"`
}

// submitScore keeps the player's season best. The ops tool rebuilds the
// ranked board from these when the board is marked dirty.
func submitScore(w http.ResponseWriter, r *http.Request, s *session.Session) {
	var sub scoreSubmission
	if !decode(w, r, &sub) {
		return
	}
	key := keys.KindLeaderboard.Key(cfg.Season.ID, "best", s.PlayerID)
	v, err := edgekv.Game.GetString(key, nil)
	if err != nil {
		fail(w, err)
		return
	}
	var best int64
	if !edgekv.IsNull(v) {
		best, _ = strconv.ParseInt(v, 10, 64)
	}
	if sub.Score <= best {
		writeJSON(w, http.StatusOK, map[string]int64{"best": best})
		return
	}
	if err := edgekv.Game.PutString(key, strconv.FormatInt(sub.Score, 10), nil); err != nil { // DEBATABLE kvrace
		fail(w, err)
		return
	}
	if err := edgekv.Game.PutString(keys.Key("lb", "dirty"), "1", nil); err != nil { // EXPECT kvhotkey
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int64{"best": sub.Score})
}

// leaderboardTop serves the ranked board the ops tool publishes.
func leaderboardTop(w http.ResponseWriter, r *http.Request) {
	season := r.PathValue("season")
	v, err := edgekv.Game.GetString(keys.KindLeaderboard.Key(season, "top"), &kv.GetOptions{CacheTTL: 120})
	if err != nil {
		fail(w, err)
		return
	}
	if edgekv.IsNull(v) {
		http.Error(w, "no leaderboard for this season", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(v))
}
