//go:build js && wasm

// Package courier is the API the courier app talks to: sign-in, shifts,
// scans and handovers.
package courier

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"goldcrest/internal/edgekv"
	"goldcrest/internal/model"
)

// Config is what the courier API needs from the environment.
type Config struct {
	Binding          string
	DispatchURL      string
	DispatchSecret   string
	SessionTTL       time.Duration
	MaxLoginFailures int
	Now              func() time.Time
	HTTP             *http.Client
}

// API serves the courier app.
type API struct {
	cfg        Config
	shiftLocks keyedMutex
	loginSem   chan struct{}

	mu        sync.Mutex
	scanTally map[string]int
}

// New returns an API. One API lives for the lifetime of the isolate.
func New(cfg Config) *API {
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = 12 * time.Hour
	}
	if cfg.MaxLoginFailures <= 0 {
		cfg.MaxLoginFailures = 5
	}
	return &API{
		cfg:       cfg,
		loginSem:  make(chan struct{}, 1),
		scanTally: make(map[string]int),
	}
}

// Register mounts the courier routes.
func (a *API) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /c/login", a.login)
	mux.HandleFunc("POST /c/logout", a.withSession(a.logout))
	mux.HandleFunc("GET /c/me", a.withSession(a.me))
	mux.HandleFunc("POST /c/pin", a.withSession(a.changePIN))
	mux.HandleFunc("POST /c/scan", a.withSession(a.scan))
	mux.HandleFunc("POST /c/location", a.withSession(a.location))
	mux.HandleFunc("POST /c/claim", a.withSession(a.claim))
	mux.HandleFunc("POST /c/handover", a.withSession(a.handover))
	mux.HandleFunc("POST /c/shift/break", a.withSession(a.startBreak))
	mux.HandleFunc("POST /c/shift/resume", a.withSession(a.endBreak))
}

func sessionKey(id string) string { return "sess:" + id }

func sessionIndexKey(courierID, id string) string {
	return "sess-idx:" + courierID + ":" + id
}

// reqState is the session a request runs under. It is loaded before the
// handler runs and written back afterwards if the handler or the sliding
// expiry changed it.
type reqState struct {
	st    *edgekv.Store
	key   string
	sess  model.Session
	dirty bool
}

func (a *API) withSession(h func(http.ResponseWriter, *http.Request, *reqState)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		if id == "" {
			http.Error(w, "sign in required", http.StatusUnauthorized)
			return
		}
		st, err := edgekv.Open(a.cfg.Binding, a.cfg.Now)
		if err != nil {
			http.Error(w, "storage unavailable", http.StatusServiceUnavailable)
			return
		}
		rs := &reqState{st: st, key: sessionKey(id)}
		ok, err := st.Load(rs.key, &rs.sess)
		if err != nil {
			http.Error(w, "storage error", http.StatusBadGateway)
			return
		}
		now := a.cfg.Now()
		if !ok || now.After(rs.sess.ExpiresAt) {
			http.Error(w, "sign in required", http.StatusUnauthorized)
			return
		}
		a.touch(rs, now)
		h(w, r, rs)
		if err := a.finish(rs); err != nil {
			log.Printf("courier: save session: %v", err)
		}
	}
}

// touch extends the session when the app has been active.
func (a *API) touch(rs *reqState, now time.Time) {
	if now.Sub(rs.sess.LastSeen) < time.Minute {
		return
	}
	rs.sess.LastSeen = now
	rs.sess.ExpiresAt = now.Add(a.cfg.SessionTTL)
	rs.dirty = true
}

func (a *API) finish(rs *reqState) error {
	if !rs.dirty || rs.sess.ID == "" {
		return nil
	}
	return rs.st.Save(rs.key, rs.sess, a.cfg.SessionTTL) // EXPECT kvsession|kvrace
}

type loginRequest struct {
	CourierID string `json:"courier"`
	PIN       string `json:"pin"`
	Device    string `json:"device"`
}

type profile struct {
	CourierID string `json:"courier"`
	DepotID   string `json:"depot"`
	Name      string `json:"name"`
}

var errBadPIN = errors.New("courier: PIN rejected")

func (a *API) login(w http.ResponseWriter, r *http.Request) {
	var req loginRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.CourierID == "" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	st, err := edgekv.Open(a.cfg.Binding, a.cfg.Now)
	if err != nil {
		http.Error(w, "storage unavailable", http.StatusServiceUnavailable)
		return
	}
	ns := st.Namespace()

	a.loginSem <- struct{}{}
	defer func() { <-a.loginSem }()

	failKey := "attempts:login:" + req.CourierID
	raw, err := ns.GetString(failKey, nil)
	if err != nil {
		http.Error(w, "storage error", http.StatusBadGateway)
		return
	}
	failures := 0
	if raw != "<null>" {
		failures, _ = strconv.Atoi(raw)
	}
	if failures >= a.cfg.MaxLoginFailures {
		http.Error(w, "too many attempts, try again later", http.StatusTooManyRequests)
		return
	}
	prof, err := a.verifyPIN(r.Context(), req)
	if errors.Is(err, errBadPIN) {
		if err := ns.PutString(failKey, strconv.Itoa(failures+1), &kv.PutOptions{ExpirationTTL: 900}); err != nil { // EXPECT kvcounter|kvrace
			log.Printf("courier: record failure: %v", err)
		}
		http.Error(w, "courier ID or PIN not recognised", http.StatusUnauthorized)
		return
	}
	if err != nil {
		http.Error(w, "dispatcher unavailable", http.StatusBadGateway)
		return
	}

	now := a.cfg.Now()
	sess := model.Session{
		ID:        model.NewID(24),
		CourierID: prof.CourierID,
		DepotID:   prof.DepotID,
		IssuedAt:  now,
		LastSeen:  now,
		ExpiresAt: now.Add(a.cfg.SessionTTL),
	}
	if err := st.Save(sessionKey(sess.ID), sess, a.cfg.SessionTTL); err != nil {
		http.Error(w, "storage error", http.StatusBadGateway)
		return
	}
	if err := st.PutTTL(sessionIndexKey(sess.CourierID, sess.ID), req.Device, a.cfg.SessionTTL); err != nil {
		log.Printf("courier: index session: %v", err)
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"session": sess.ID, "expires": sess.ExpiresAt})
}

// callDispatch posts payload to the dispatcher and decodes a 200 answer
// into out. It returns the status code.
func (a *API) callDispatch(ctx context.Context, path string, payload, out any) (int, error) {
	body, _ := json.Marshal(payload)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.cfg.DispatchURL+path, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+a.cfg.DispatchSecret)
	req.Header.Set("Content-Type", "application/json")
	resp, err := a.cfg.HTTP.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusOK && out != nil {
		err = json.NewDecoder(resp.Body).Decode(out)
	}
	return resp.StatusCode, err
}

func (a *API) verifyPIN(ctx context.Context, req loginRequest) (profile, error) {
	var prof profile
	code, err := a.callDispatch(ctx, "/internal/couriers/verify", map[string]string{"courier": req.CourierID, "pin": req.PIN}, &prof)
	switch {
	case err != nil:
		return prof, err
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		return prof, errBadPIN
	case code != http.StatusOK:
		return prof, fmt.Errorf("courier: verify returned %d", code)
	}
	return prof, nil
}

func (a *API) logout(w http.ResponseWriter, r *http.Request, rs *reqState) {
	if err := rs.st.Delete(rs.key); err != nil { // EXPECT kvsession
		http.Error(w, "storage error", http.StatusBadGateway)
		return
	}
	_ = rs.st.Delete(sessionIndexKey(rs.sess.CourierID, rs.sess.ID)) // DEBATABLE kvsession
	rs.sess.ID = ""
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) me(w http.ResponseWriter, r *http.Request, rs *reqState) {
	raw, err := rs.st.Namespace().GetString("profile:"+rs.sess.CourierID, nil) // EXPECT kvnull
	if err != nil {
		http.Error(w, "storage error", http.StatusBadGateway)
		return
	}
	var prof profile
	if err := json.Unmarshal([]byte(raw), &prof); err != nil {
		http.Error(w, "profile unreadable", http.StatusInternalServerError)
		return
	}
	out := map[string]any{"profile": prof, "session": rs.sess}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}

func (a *API) changePIN(w http.ResponseWriter, r *http.Request, rs *reqState) {
	pins := map[string]string{"courier": rs.sess.CourierID, "old": r.FormValue("old"), "new": r.FormValue("new")}
	code, err := a.callDispatch(r.Context(), "/internal/couriers/pin", pins, nil)
	if err != nil || code != http.StatusNoContent {
		http.Error(w, "PIN not changed", http.StatusBadGateway)
		return
	}
	// Sign out every other device of this courier.
	prefix := "sess-idx:" + rs.sess.CourierID + ":"
	err = rs.st.Walk(prefix, 5, func(key string, _ edgekv.Meta) error {
		id := edgekv.Suffix(key, prefix)
		if id == rs.sess.ID {
			return nil
		}
		if err := rs.st.Delete(sessionKey(id)); err != nil { // EXPECT kvsession
			return err
		}
		return rs.st.Delete(key) // DEBATABLE kvsession
	})
	if err != nil {
		log.Printf("courier: revoke sessions of %s: %v", rs.sess.CourierID, err)
	}
	w.WriteHeader(http.StatusNoContent)
}

// keyedMutex serialises work on one key within this isolate.
type keyedMutex struct {
	mu sync.Mutex
	m  map[string]*sync.Mutex
}

func (k *keyedMutex) lock(key string) func() {
	k.mu.Lock()
	if k.m == nil {
		k.m = make(map[string]*sync.Mutex)
	}
	l, ok := k.m[key]
	if !ok {
		l = new(sync.Mutex)
		k.m[key] = l
	}
	k.mu.Unlock()
	l.Lock()
	return l.Unlock
}
