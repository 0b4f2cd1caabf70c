//go:build js && wasm

// Package edgeapi is the Worker's HTTP API and cron work. It uses the
// namespaces that edgekv.Open binds at startup.
package edgeapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"log"
	"net/http"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"kittiwake/internal/config"
	"kittiwake/internal/edgekv"
	"kittiwake/internal/keys"
	"kittiwake/internal/kverr"
	"kittiwake/internal/lobby"
	"kittiwake/internal/matchmaking"
	"kittiwake/internal/presence"
	"kittiwake/internal/progress"
	"kittiwake/internal/session"
)

var (
	cfg       config.Config
	sessions  *session.Repo
	lobbies   *lobby.Repo
	presences *presence.Service
	queue     *matchmaking.Queue
)

// Register wires the API into mux. It must run after edgekv.Open.
func Register(mux *http.ServeMux, c config.Config) {
	cfg = c
	sessions = session.New(edgekv.Sessions, c.KV)
	lobbies = lobby.New(edgekv.Game, c.KV)
	presences = presence.New(edgekv.Game, c.KV)
	queue = matchmaking.New(edgekv.Game, c.Match)

	public := []struct {
		pattern string
		cache   time.Duration
		handler http.HandlerFunc
	}{
		{"GET /v1/quests/{region}", c.KV.TTL.Response, questBoard},
		{"GET /v1/lobbies/{mode}", 0, browseLobbies},
		{"GET /v1/lobbies/{mode}/{region}", 0, browseLobbyPage},
		{"GET /v1/leaderboard/{season}", c.KV.TTL.Leaderboard, leaderboardTop},
		{"GET /v1/players/{id}", 10 * time.Minute, playerProfile},
		{"GET /v1/status", 20 * time.Second, serviceStatus}, // EXPECT kvttl
		{"POST /v1/auth/login", 0, login},
		{"POST /v1/auth/refresh", 0, refresh},
		{"POST /v1/auth/code", 0, requestCode},
		{"POST /v1/auth/code/redeem", 0, redeemCode},
	}
	for _, rt := range public {
		h := http.Handler(rt.handler)
		if rt.cache > 0 {
			h = cached(rt.pattern, rt.cache, rt.handler)
		}
		mux.Handle(rt.pattern, limited(h))
	}

	private := []struct {
		pattern string
		handler func(http.ResponseWriter, *http.Request, *session.Session)
	}{
		{"POST /v1/auth/logout", logout},
		{"PUT /v1/me/region", setRegion},
		{"PUT /v1/me/password", changePassword},
		{"PUT /v1/me/name", claimName},
		{"POST /v1/lobbies", createLobby},
		{"POST /v1/lobbies/{id}/join", joinLobby},
		{"POST /v1/lobbies/{id}/leave", leaveLobby},
		{"POST /v1/lobbies/{id}/ready", readyLobby},
		{"POST /v1/lobbies/{id}/invite", inviteLobby},
		{"POST /v1/lobbies/{id}/start", startLobby},
		{"PUT /v1/presence", setPresence},
		{"GET /v1/presence/friends", friendsPresence},
		{"POST /v1/matchmaking", enqueue},
		{"POST /v1/matchmaking/widen", widenSearch},
		{"POST /v1/matchmaking/requeue", requeue},
		{"DELETE /v1/matchmaking", cancelSearch},
		{"POST /v1/quests/{quest}/objectives/{objective}", recordObjective},
		{"POST /v1/scores", submitScore},
	}
	for _, rt := range private {
		mux.Handle(rt.pattern, limited(authed(rt.handler)))
	}
}

// recorder captures a handler's response so it can be cached.
type recorder struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (r *recorder) WriteHeader(code int) { r.status = code; r.ResponseWriter.WriteHeader(code) }
func (r *recorder) Write(b []byte) (int, error) {
	r.body.Write(b)
	return r.ResponseWriter.Write(b)
}

// cached serves a public GET from KV when it can and fills KV when it cannot.
func cached(name string, ttl time.Duration, next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := keys.Key("resp", r.URL.Path)
		body, err := edgekv.Game.GetString(key, &kv.GetOptions{CacheTTL: 60})
		if err == nil && !edgekv.IsNull(body) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("X-Cache", "hit")
			_, _ = w.Write([]byte(body))
			return
		}
		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		next(rec, r)
		if rec.status != http.StatusOK {
			return
		}
		opts := &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())}
		if err := edgekv.Game.PutString(key, rec.body.String(), opts); err != nil {
			log.Printf("cache %s: %v", name, err)
		}
	})
}

// decode reads a JSON body into v, answering 400 when it cannot.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return false
	}
	return true
}

// fail maps an error from the stores to a response.
func fail(w http.ResponseWriter, err error) {
	var status int
	switch {
	case errors.Is(err, session.ErrBadCode):
		status = http.StatusUnauthorized
	case kverr.IsMiss(err):
		status = http.StatusUnauthorized
	case errors.Is(err, lobby.ErrNoLobby), errors.Is(err, progress.ErrNoBoard):
		status = http.StatusNotFound
	case errors.Is(err, lobby.ErrFull), errors.Is(err, lobby.ErrCodeTaken), errors.Is(err, errNameTaken):
		status = http.StatusConflict
	case errors.Is(err, lobby.ErrQuota):
		status = http.StatusTooManyRequests
	default:
		log.Printf("internal error: %v", err)
		http.Error(w, "service unavailable, try again", http.StatusServiceUnavailable)
		return
	}
	http.Error(w, err.Error(), status)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func serviceStatus(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"env":         cfg.Env,
		"season":      cfg.Season.ID,
		"maintenance": edgekv.Flag("maintenance"),
	})
}
