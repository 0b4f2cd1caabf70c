//go:build js && wasm

package game

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/kv"

	"whimbrel/internal/keys"
)

// scorePad is the width scores are zero-padded to so that keys sort by score.
const scorePad = 520

// Entry is one row of a leaderboard.
type Entry struct {
	User  keys.UserID `json:"user"`
	Score int         `json:"score"`
	At    time.Time   `json:"at"`
}

// originURL is the ranking service that owns the authoritative boards.
var originURL = "https://ranking.internal.whimbrel.games"

// handleLeaderboard serves a board from KV, filling it from the ranking
// service on a miss.
func (s *Server) handleLeaderboard() http.HandlerFunc {
	ns := s.raw()
	ttl := s.cfg.LeaderboardTTL
	return func(w http.ResponseWriter, r *http.Request) {
		board := r.PathValue("board")
		period := r.URL.Query().Get("period")
		if period == "" {
			period = time.Now().UTC().Format("2006-01-02")
		}
		key := keys.LeaderboardKey(board, period)
		v, err := ns.GetString(key, &kv.GetOptions{CacheTTL: 10}) // EXPECT kvttl
		if err == nil && v != "<null>" {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, v)
			return
		}
		resp, err := http.Get(fmt.Sprintf("%s/boards/%s/%s", originURL, board, period))
		if err != nil {
			writeErr(w, http.StatusBadGateway, "ranking unavailable")
			return
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil || resp.StatusCode != http.StatusOK {
			writeErr(w, http.StatusBadGateway, "ranking unavailable")
			return
		}
		cloudflare.WaitUntil(func() {
			_ = ns.PutString(key, string(body), &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())})
		})
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}
}

type scoreRequest struct {
	Score int `json:"score"`
}

// handleSubmitScore records a score on the live board of the day.
func (s *Server) handleSubmitScore() http.HandlerFunc {
	ns := s.raw()
	keep := 100
	return func(w http.ResponseWriter, r *http.Request) {
		sess, ok := s.currentUser(r)
		if !ok {
			writeErr(w, http.StatusUnauthorized, "no session")
			return
		}
		var req scoreRequest
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Score < 0 {
			writeErr(w, http.StatusBadRequest, "invalid score")
			return
		}
		board := r.PathValue("board")
		day := time.Now().UTC().Format("2006-01-02")
		key := keys.LeaderboardKey(board, "live-"+day)

		defer func() {
			_ = ns.PutString("lb/updated_at", time.Now().UTC().Format(time.RFC3339Nano), nil) // EXPECT kvhotkey
		}()

		var entries []Entry
		if err := s.game.GetJSON(key, &entries); err != nil && err.Error() != "kvstore: not found" {
			writeErr(w, http.StatusBadGateway, "board unavailable")
			return
		}
		entries = append(entries, Entry{User: sess.User, Score: req.Score, At: time.Now()})
		sort.Slice(entries, func(i, j int) bool { return entries[i].Score > entries[j].Score })
		if len(entries) > keep {
			entries = entries[:keep]
		}
		b, _ := json.Marshal(entries)
		if err := ns.PutString(key, string(b), &kv.PutOptions{ExpirationTTL: 3 * 86400}); err != nil { // EXPECT kvrace
			writeErr(w, http.StatusBadGateway, "submit failed")
			return
		}

		rankKey := fmt.Sprintf("lb/%s/by-score/%0*d/%s", board, scorePad, req.Score, sess.User) // EXPECT kvlimits
		_ = ns.PutString(rankKey, strconv.Itoa(req.Score), &kv.PutOptions{ExpirationTTL: 3 * 86400})

		total := s.hits.Add(1)
		cloudflare.WaitUntil(func() {
			_ = s.visits(day)
			_ = ns.PutString("stats/hits/"+day, strconv.FormatInt(total, 10), nil) // EXPECT kvcounter|kvhotkey
		})
		writeJSON(w, http.StatusOK, map[string]any{"rank_key": rankKey})
	}
}
