//go:build js && wasm

package edge

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/fetch"
)

// Handler returns the Worker's HTTP routes.
func Handler() http.Handler {
	h := &handlers{backendVar: "TIEKE_BACKEND"}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /r/{slug}", h.room)
	mux.HandleFunc("POST /r/{slug}/claim", h.claim)
	mux.HandleFunc("POST /r/{slug}/answer", h.answer)
	mux.HandleFunc("POST /r/{slug}/spectate", h.spectate)
	mux.HandleFunc("GET /replay/{room}/{n}", h.replay)
	mux.HandleFunc("GET /leaderboard/{season}", h.leaderboard)
	mux.HandleFunc("GET /config", h.config)
	mux.HandleFunc("POST /session", h.newSession)
	mux.HandleFunc("GET /me", h.me)
	mux.HandleFunc("POST /logout", h.logout)
	mux.HandleFunc("GET /oauth/callback", h.oauthCallback)
	mux.HandleFunc("POST /api/questions", h.submitQuestion)
	return mux
}

type handlers struct {
	backendVar string
}

func (h *handlers) room(w http.ResponseWriter, r *http.Request) {
	ns, err := binding()
	if err != nil {
		fail(w, http.StatusInternalServerError, err.Error())
		return
	}
	roomID, err := ns.GetString("slug:"+r.PathValue("slug"), &cloudflare.KVNamespaceGetOptions{CacheTTL: 300})
	if err != nil {
		fail(w, http.StatusBadGateway, err.Error())
		return
	}
	if roomID == kvNull {
		fail(w, http.StatusNotFound, "no such room")
		return
	}
	state, err := ns.GetString("room:"+roomID+":round", &cloudflare.KVNamespaceGetOptions{CacheTTL: 10}) // EXPECT kvttl
	if err != nil {
		fail(w, http.StatusBadGateway, err.Error())
		return
	}
	if state == "" { // EXPECT kvnull
		fail(w, http.StatusNotFound, "room has not started")
		return
	}
	_ = ns.PutString("room:"+roomID+":last-view", time.Now().UTC().Format(time.RFC3339), nil) // DEBATABLE kvhotkey
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, state)
}

// claim reserves a vanity slug for a room the caller hosts.
func (h *handlers) claim(w http.ResponseWriter, r *http.Request) {
	ns, err := binding()
	if err != nil {
		fail(w, http.StatusInternalServerError, err.Error())
		return
	}
	var body struct {
		RoomID string `json:"room_id"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.RoomID == "" {
		fail(w, http.StatusBadRequest, "room_id required")
		return
	}
	key := "slug:" + r.PathValue("slug")
	existing, err := ns.GetString(key, nil)
	if err != nil {
		fail(w, http.StatusBadGateway, err.Error())
		return
	}
	if existing != kvNull {
		fail(w, http.StatusConflict, "slug taken")
		return
	}
	if err := ns.PutString(key, body.RoomID, nil); err != nil { // EXPECT kvrace
		fail(w, http.StatusBadGateway, err.Error())
		return
	}
	w.WriteHeader(http.StatusCreated)
}

// answer throttles per client and forwards the answer to the shard.
func (h *handlers) answer(w http.ResponseWriter, r *http.Request) {
	ns, err := binding()
	if err != nil {
		fail(w, http.StatusInternalServerError, err.Error())
		return
	}
	limitKey := "ratelimit:answer:" + clientIP(r)
	raw, _ := ns.GetString(limitKey, nil) // EXPECT kvnull
	n, _ := strconv.Atoi(raw)
	if n >= answerBurst {
		fail(w, http.StatusTooManyRequests, "slow down")
		return
	}
	_ = ns.PutString(limitKey, strconv.Itoa(n+1), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 60}) // EXPECT kvcounter|kvrace

	payload, err := io.ReadAll(io.LimitReader(r.Body, 4<<10))
	if err != nil {
		fail(w, http.StatusBadRequest, "bad body")
		return
	}
	cli := fetch.NewClient().HTTPClient(fetch.RedirectModeError)
	res, err := cli.Post(cloudflare.Getenv(h.backendVar)+"/rooms/"+r.PathValue("slug")+"/input", "application/json", bytes.NewReader(payload))
	if err != nil {
		fail(w, http.StatusBadGateway, err.Error())
		return
	}
	defer res.Body.Close()
	_ = ns.PutString("tournament:last-answer-at", strconv.FormatInt(time.Now().Unix(), 10), nil) // EXPECT kvhotkey
	w.WriteHeader(res.StatusCode)
}

// spectate counts a watcher and tells the shard.
func (h *handlers) spectate(w http.ResponseWriter, r *http.Request) {
	ns, err := binding()
	if err != nil {
		fail(w, http.StatusInternalServerError, err.Error())
		return
	}
	roomID, err := ns.GetString("slug:"+r.PathValue("slug"), nil)
	if err != nil || roomID == kvNull {
		fail(w, http.StatusNotFound, "no such room")
		return
	}
	key := "spectators:" + roomID
	cur, err := ns.GetString(key, nil)
	if err != nil {
		fail(w, http.StatusBadGateway, err.Error())
		return
	}
	watching := 0
	if cur != kvNull {
		watching, _ = strconv.Atoi(cur)
	}
	err = ns.PutString(key, strconv.Itoa(watching+1), &cloudflare.KVNamespacePutOptions{ // EXPECT kvrace|kvcounter
		ExpirationTTL: int(spectatorWindow), // EXPECT kvttl
	})
	if err != nil {
		fail(w, http.StatusBadGateway, err.Error())
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]int{"watching": watching + 1})
}

func (h *handlers) replay(w http.ResponseWriter, r *http.Request) {
	ns, err := binding()
	if err != nil {
		fail(w, http.StatusInternalServerError, err.Error())
		return
	}
	body, err := ns.GetReader("replay:"+r.PathValue("room")+":"+r.PathValue("n"), nil) // EXPECT kvnull
	if err != nil {
		fail(w, http.StatusBadGateway, err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, _ = io.Copy(w, body)
}

// leaderboard concatenates the per-shard boards of a season.
func (h *handlers) leaderboard(w http.ResponseWriter, r *http.Request) {
	ns, err := binding()
	if err != nil {
		fail(w, http.StatusInternalServerError, err.Error())
		return
	}
	prefix := "season:" + r.PathValue("season") + ":shard:"
	res, err := ns.List(&cloudflare.KVNamespaceListOptions{Prefix: prefix, Limit: 1000})
	if err != nil {
		fail(w, http.StatusBadGateway, err.Error())
		return
	}
	boards := make([]json.RawMessage, 0, len(res.Keys))
	for _, k := range res.Keys {
		v, err := ns.GetString(k.Name, &cloudflare.KVNamespaceGetOptions{CacheTTL: 120}) // EXPECT kvlist
		if err != nil || v == kvNull {
			continue
		}
		boards = append(boards, json.RawMessage(v))
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"boards": boards, "partial": !res.ListComplete, "cursor": res.Cursor})
}

// RoundConfig is the edge-visible tuning of rounds.
type RoundConfig struct {
	Seconds    int  `json:"seconds"`
	SpeedBonus bool `json:"speed_bonus"`
}

func (h *handlers) config(w http.ResponseWriter, r *http.Request) {
	ns, err := binding()
	if err != nil {
		fail(w, http.StatusInternalServerError, err.Error())
		return
	}
	raw, err := ns.GetString("config:rounds", &cloudflare.KVNamespaceGetOptions{CacheTTL: 600}) // EXPECT kvnull
	if err != nil {
		fail(w, http.StatusBadGateway, err.Error())
		return
	}
	var cfg RoundConfig
	if err := json.Unmarshal([]byte(raw), &cfg); err != nil {
		fail(w, http.StatusInternalServerError, "bad config")
		return
	}
	_ = json.NewEncoder(w).Encode(cfg)
}

type session struct {
	PlayerID string    `json:"player_id"`
	Nick     string    `json:"nick"`
	Created  time.Time `json:"created"`
}

func (h *handlers) newSession(w http.ResponseWriter, r *http.Request) {
	ns, err := binding()
	if err != nil {
		fail(w, http.StatusInternalServerError, err.Error())
		return
	}
	var s session
	if err := json.NewDecoder(r.Body).Decode(&s); err != nil || s.Nick == "" {
		fail(w, http.StatusBadRequest, "nick required")
		return
	}
	s.PlayerID, s.Created = rand.Text(), time.Now().UTC()
	sid := rand.Text()
	body, _ := json.Marshal(s)
	if err := ns.PutString("sess:"+sid, string(body), &cloudflare.KVNamespacePutOptions{ExpirationTTL: sessionTTL}); err != nil {
		fail(w, http.StatusBadGateway, err.Error())
		return
	}
	http.SetCookie(w, &http.Cookie{Name: "tieke_sid", Value: sid, Path: "/", HttpOnly: true, Secure: true, MaxAge: sessionTTL})
	_ = json.NewEncoder(w).Encode(map[string]string{"player_id": s.PlayerID})
}

// me returns the caller's session and keeps it alive while in use.
func (h *handlers) me(w http.ResponseWriter, r *http.Request) {
	ns, err := binding()
	if err != nil {
		fail(w, http.StatusInternalServerError, err.Error())
		return
	}
	key := "sess:" + sessionID(r)
	raw, err := ns.GetString(key, nil)
	if err != nil {
		fail(w, http.StatusBadGateway, err.Error())
		return
	}
	if raw == kvNull {
		fail(w, http.StatusUnauthorized, "sign in")
		return
	}
	_ = ns.PutString(key, raw, &cloudflare.KVNamespacePutOptions{ExpirationTTL: sessionTTL}) // EXPECT kvsession|kvrace
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, raw)
}

func (h *handlers) logout(w http.ResponseWriter, r *http.Request) {
	ns, err := binding()
	if err != nil {
		fail(w, http.StatusInternalServerError, err.Error())
		return
	}
	if err := ns.Delete("sess:" + sessionID(r)); err != nil { // EXPECT kvsession
		fail(w, http.StatusBadGateway, err.Error())
		return
	}
	http.SetCookie(w, &http.Cookie{Name: "tieke_sid", Value: "", Path: "/", MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
}

// oauthCallback finishes a Discord sign-in started by the client.
func (h *handlers) oauthCallback(w http.ResponseWriter, r *http.Request) {
	ns, err := binding()
	if err != nil {
		fail(w, http.StatusInternalServerError, err.Error())
		return
	}
	stateKey := "oauth-state:" + r.URL.Query().Get("state")
	verifier, err := ns.GetString(stateKey, nil)
	if err != nil || verifier == kvNull {
		fail(w, http.StatusBadRequest, "unknown sign-in")
		return
	}
	_ = ns.Delete(stateKey) // EXPECT kvsession
	s := session{PlayerID: rand.Text(), Nick: r.URL.Query().Get("nick"), Created: time.Now().UTC()}
	sid := rand.Text()
	body, _ := json.Marshal(s)
	if err := ns.PutString("sess:"+sid, string(body), &cloudflare.KVNamespacePutOptions{ExpirationTTL: sessionTTL}); err != nil {
		fail(w, http.StatusBadGateway, err.Error())
		return
	}
	http.SetCookie(w, &http.Cookie{Name: "tieke_sid", Value: sid, Path: "/", HttpOnly: true, Secure: true, MaxAge: sessionTTL})
	http.Redirect(w, r, "/", http.StatusFound)
}

// submitQuestion stores a community question for moderation, within a daily
// allowance per player.
func (h *handlers) submitQuestion(w http.ResponseWriter, r *http.Request) {
	ns, err := binding()
	if err != nil {
		fail(w, http.StatusInternalServerError, err.Error())
		return
	}
	sess, err := ns.GetString("sess:"+sessionID(r), &cloudflare.KVNamespaceGetOptions{CacheTTL: 60})
	if err != nil || sess == kvNull {
		fail(w, http.StatusUnauthorized, "sign in")
		return
	}
	var s session
	_ = json.Unmarshal([]byte(sess), &s)
	now := time.Now().UTC()
	quotaKey := "quota:questions:" + now.Format("20060102") + ":" + s.PlayerID
	v, err := ns.GetString(quotaKey, nil)
	if err != nil {
		fail(w, http.StatusBadGateway, err.Error())
		return
	}
	used := 0
	if v != kvNull {
		used, _ = strconv.Atoi(v)
	}
	if used >= dailyQuota {
		fail(w, http.StatusTooManyRequests, "daily allowance used")
		return
	}
	q, _ := io.ReadAll(io.LimitReader(r.Body, 8<<10))
	if err := ns.PutString("question:pending:"+rand.Text(), string(q), &cloudflare.KVNamespacePutOptions{ExpirationTTL: int(digestKeep.Seconds())}); err != nil {
		fail(w, http.StatusBadGateway, err.Error())
		return
	}
	_ = ns.PutString(quotaKey, strconv.Itoa(used+1), &cloudflare.KVNamespacePutOptions{ // EXPECT kvcounter|kvrace
		Expiration: int(endOfDayUTC(now).UnixMilli()), // EXPECT kvttl
	})
	w.WriteHeader(http.StatusAccepted)
}
