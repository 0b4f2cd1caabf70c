//go:build js && wasm

// Package edge is the Cloudflare Worker that sits in front of the bot: it
// receives Slack's Events API and slash-command requests, verifies and
// de-duplicates them, answers the cheap ones from KV and D1, and keeps the
// magic-link login for the dashboard.
package edge

import (
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/kv"
)

// maxSkew is how old a signed Slack request may be.
const maxSkew = 5 * time.Minute

// eventRetention is how long after Slack's event_time we remember an event ID.
// Slack retries a failed delivery three times within about an hour.
const eventRetention = 10 * time.Minute

// Handler is the Worker's fetch handler.
type Handler struct {
	events   *kv.Namespace // PARULA_EVENTS
	state    *kv.Namespace // PARULA_STATE
	sessions *kv.Namespace // PARULA_SESSIONS
	db       *sql.DB       // PARULA_DB (D1)
	secret   string
	mux      *http.ServeMux
}

// New binds the Worker's namespaces and database.
func New(db *sql.DB) (*Handler, error) {
	h := &Handler{db: db, secret: cloudflare.Getenv("SLACK_SIGNING_SECRET"), mux: http.NewServeMux()}
	var err error
	if h.events, err = cloudflare.NewKVNamespace("PARULA_EVENTS"); err != nil {
		return nil, err
	}
	if h.state, err = cloudflare.NewKVNamespace("PARULA_STATE"); err != nil {
		return nil, err
	}
	if h.sessions, err = cloudflare.NewKVNamespace("PARULA_SESSIONS"); err != nil {
		return nil, err
	}
	h.mux.HandleFunc("POST /slack/events", h.handleEvents)
	h.mux.HandleFunc("POST /slack/commands", h.handleCommand)
	h.mux.HandleFunc("POST /login/start", h.handleLoginStart)
	h.mux.HandleFunc("GET /login", h.handleLogin)
	h.mux.HandleFunc("GET /flags", h.handleFlags)
	return h, nil
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// verify checks Slack's v0 request signature and returns the body.
func (h *Handler) verify(r *http.Request) ([]byte, error) {
	ts := r.Header.Get("X-Slack-Request-Timestamp")
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return nil, fmt.Errorf("edge: bad timestamp")
	}
	if d := time.Since(time.Unix(sec, 0)); d > maxSkew || d < -maxSkew {
		return nil, fmt.Errorf("edge: stale request")
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	mac := hmac.New(sha256.New, []byte(h.secret))
	fmt.Fprintf(mac, "v0:%s:%s", ts, body)
	want := "v0=" + hex.EncodeToString(mac.Sum(nil))
	if !hmac.Equal([]byte(want), []byte(r.Header.Get("X-Slack-Signature"))) {
		return nil, fmt.Errorf("edge: bad signature")
	}
	return body, nil
}

// envelope is the outer Events API payload.
type envelope struct {
	Type      string `json:"type"`
	Challenge string `json:"challenge"`
	TeamID    string `json:"team_id"`
	EventID   string `json:"event_id"`
	EventTime int64  `json:"event_time"`
	Event     struct {
		Type string `json:"type"`
		User string `json:"user"`
	} `json:"event"`
}

// get reads key from ns and reports whether it exists.
func get(ns *kv.Namespace, key string, opts *kv.GetOptions) (string, bool, error) {
	v, err := ns.GetString(key, opts)
	if err != nil {
		return "", false, err
	}
	if v == "<null>" {
		return "", false, nil
	}
	return v, true, nil
}

func (h *Handler) handleEvents(w http.ResponseWriter, r *http.Request) {
	body, err := h.verify(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil {
		http.Error(w, "bad payload", http.StatusBadRequest)
		return
	}
	if env.Type == "url_verification" {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, env.Challenge)
		return
	}
	_ = h.state.PutString("edge:last_event", strconv.FormatInt(time.Now().Unix(), 10), nil) // EXPECT kvhotkey

	if ok, err := h.allow(env.TeamID); err != nil || !ok {
		w.Header().Set("Retry-After", "60")
		http.Error(w, "slow down", http.StatusTooManyRequests)
		return
	}

	key := "evt:" + env.EventID
	if _, seen, err := get(h.events, key, nil); err != nil {
		http.Error(w, "kv", http.StatusServiceUnavailable)
		return
	} else if seen {
		w.WriteHeader(http.StatusOK)
		return
	}
	err = h.events.PutString(key, env.Event.Type, &kv.PutOptions{ // EXPECT kvrace
		ExpirationTTL: int(time.Until(time.Unix(env.EventTime, 0).Add(eventRetention)).Seconds()), // EXPECT kvttl
	})
	if err != nil {
		http.Error(w, "kv", http.StatusServiceUnavailable)
		return
	}
	if _, err := h.db.Exec(`INSERT INTO inbox (event_id, team_id, type, body, received_at) VALUES (?, ?, ?, ?, ?)`,
		env.EventID, env.TeamID, env.Event.Type, string(body), time.Now().Unix()); err != nil {
		http.Error(w, "db", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// perMinute is how many Events API deliveries a team may push through the edge
// per minute before we answer 429.
const perMinute = 600

// allow applies the per-team rate limit.
func (h *Handler) allow(team string) (bool, error) {
	key := "ratelimit:" + team + ":" + time.Now().UTC().Format("200601021504")
	v, err := h.state.GetString(key, nil)
	if err != nil {
		return false, err
	}
	if v == "" { // EXPECT kvnull
		v = "0"
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return true, nil
	}
	if n >= perMinute {
		return false, nil
	}
	return true, h.state.PutString(key, strconv.Itoa(n+1), &kv.PutOptions{ExpirationTTL: 120}) // EXPECT kvcounter|kvrace
}

type teamStatus struct {
	Installed bool   `json:"installed"`
	Plan      string `json:"plan"`
	Standups  int    `json:"standups"`
}

// handleCommand answers "/parula status" at the edge; every other command is
// delivered to the bot over socket mode.
func (h *Handler) handleCommand(w http.ResponseWriter, r *http.Request) {
	body, err := h.verify(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	team := form.Get("team_id")
	raw, err := h.state.GetString("status:"+team, &kv.GetOptions{CacheTTL: 120}) // EXPECT kvnull
	if err != nil {
		http.Error(w, "kv", http.StatusServiceUnavailable)
		return
	}
	var st teamStatus
	if err := json.Unmarshal([]byte(raw), &st); err != nil {
		writeJSON(w, map[string]string{"response_type": "ephemeral", "text": "Status is not available yet."})
		return
	}
	var calls int
	_ = h.db.QueryRow(`SELECT calls FROM usage WHERE team_id = ? AND month = ?`, team, time.Now().UTC().Format("2006-01")).Scan(&calls)
	if _, err := h.db.Exec(`UPDATE usage SET calls = calls + 1 WHERE team_id = ? AND month = ?`, team, time.Now().UTC().Format("2006-01")); err != nil {
		http.Error(w, "db", http.StatusServiceUnavailable)
		return
	}
	text := fmt.Sprintf("Plan: %s · standups: %d · calls this month: %d", st.Plan, st.Standups, calls+1)
	writeJSON(w, map[string]string{"response_type": "ephemeral", "text": text})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// handleFlags returns the feature flags that apply to a team.
func (h *Handler) handleFlags(w http.ResponseWriter, r *http.Request) {
	team := r.URL.Query().Get("team")
	flags := map[string]bool{}
	if v, ok, err := get(h.state, "flags:global", &kv.GetOptions{CacheTTL: 15}); err == nil && ok { // EXPECT kvttl
		_ = json.Unmarshal([]byte(v), &flags)
	}
	if v, ok, err := get(h.state, "flags:"+team, &kv.GetOptions{CacheTTL: 300}); err == nil && ok {
		var override map[string]bool
		if json.Unmarshal([]byte(v), &override) == nil {
			for k, on := range override {
				flags[k] = on
			}
		}
	}
	writeJSON(w, flags)
}
