// Package httpapi is the JSON API used by the patient app and the store
// terminals.
package httpapi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"hihi/internal/enums"
	"hihi/internal/formulary"
	"hihi/internal/kvstore"
	"hihi/internal/pickup"
	"hihi/internal/refill"
	"hihi/internal/session"
	"hihi/internal/stock"

	"hihi/internal/db"
)

const (
	refillsPerWindow = 20
	rateWindow       = 10 * time.Minute
	prefsTTL         = 180 * 24 * time.Hour
)

// API holds the services behind the handlers.
type API struct {
	NS        *kvstore.Namespace
	Refills   *refill.Service
	Pickups   *pickup.Service
	Sessions  *session.Store
	Alerts    *stock.Alerts
	Formulary *formulary.Cache
	Log       *slog.Logger

	mu    sync.Mutex
	views map[string]int
}

// Routes registers the handlers.
func (a *API) Routes(mux *http.ServeMux) {
	mux.HandleFunc("POST /refills", a.submitRefill)
	mux.HandleFunc("GET /stores/{store}/queue", a.storeQueue)
	mux.HandleFunc("GET /stores/{store}", a.storePage)
	mux.HandleFunc("POST /stores/{store}/alerts", a.subscribe)
	mux.HandleFunc("POST /pickup/{store}/{code}/redeem", a.redeem)
	mux.HandleFunc("POST /login", a.login)
	mux.HandleFunc("POST /logout", a.logout)
	mux.HandleFunc("POST /webhooks/sms-status", a.smsStatus)
	mux.HandleFunc("PUT /admin/banner", a.setBanner)
	mux.HandleFunc("GET /coverage/{plan}/{ndc}", a.coverage)
	mux.HandleFunc("GET /search", a.search)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func clientIP(r *http.Request) string {
	if ip := r.Header.Get("CF-Connecting-IP"); ip != "" {
		return ip
	}
	host, _, _ := net.SplitHostPort(r.RemoteAddr)
	return host
}

// allow applies the per-IP limit on refill submissions.
func (a *API) allow(ctx context.Context, ip string) (bool, error) {
	key := "ratelimit:refill:" + ip
	n := 0
	raw, err := a.NS.Get(ctx, key)
	switch {
	case err == nil:
		n, _ = strconv.Atoi(string(raw))
	case !errors.Is(err, kvstore.ErrNotFound):
		return false, err
	}
	if n >= refillsPerWindow {
		return false, nil
	}
	return true, a.NS.PutFor(ctx, key, []byte(strconv.Itoa(n+1)), rateWindow) // EXPECT kvcounter|kvrace
}

func (a *API) submitRefill(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	ok, err := a.allow(ctx, clientIP(r))
	if err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	if !ok {
		http.Error(w, "too many requests", http.StatusTooManyRequests)
		return
	}
	var body struct {
		StoreID   string `json:"store_id"`
		RxNumber  string `json:"rx_number"`
		PatientID string `json:"patient_id"`
		Channel   string `json:"channel"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	ch, ok := enums.ParseChannel(body.Channel)
	if !ok {
		ch = enums.ChannelSMS
	}
	req, err := a.Refills.Submit(ctx, refill.SubmitRequest{
		StoreID: body.StoreID, RxNumber: body.RxNumber, PatientID: body.PatientID, Channel: ch,
	})
	if err != nil {
		a.Log.ErrorContext(ctx, "submit refill", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	_ = a.NS.Put(ctx, "stats:last_refill_at", []byte(time.Now().UTC().Format(time.RFC3339)), 0) // EXPECT kvhotkey
	writeJSON(w, http.StatusCreated, req)
}

func (a *API) storeQueue(w http.ResponseWriter, r *http.Request) {
	keys, next, err := a.Refills.QueuePage(r.Context(), r.PathValue("store"), r.URL.Query().Get("cursor"))
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"keys": keys, "cursor": next})
}

func (a *API) storePage(w http.ResponseWriter, r *http.Request) {
	store := r.PathValue("store")
	a.mu.Lock()
	if a.views == nil {
		a.views = make(map[string]int)
	}
	a.views[store]++
	n := a.views[store]
	a.mu.Unlock()
	_ = a.NS.Put(r.Context(), "views:store:"+store, []byte(strconv.Itoa(n)), 0) // EXPECT kvcounter

	next, more, err := a.Refills.PeekQueue(r.Context(), store)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"store": store, "next_up": next, "more": more})
}

type patientPrefs struct {
	PreferredStore string    `json:"preferred_store"`
	Channel        string    `json:"channel"`
	Watching       []string  `json:"watching"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// rememberWatch records the drug on the patient's profile so the app can
// show it on the home screen.
func (a *API) rememberWatch(ctx context.Context, patientID, store, ndc string) {
	key := "prefs:" + patientID
	var p patientPrefs
	raw, err := a.NS.Get(ctx, key) // EXPECT kvnull
	if err != nil {
		p = patientPrefs{}
	} else if err := json.Unmarshal(raw, &p); err != nil {
		p = patientPrefs{}
	}
	p.PreferredStore = store
	p.Watching = append(p.Watching, ndc)
	p.UpdatedAt = time.Now().UTC()
	data, _ := json.Marshal(p)
	if err := a.NS.Put(ctx, key, data, int(prefsTTL.Seconds())); err != nil { // EXPECT kvrace
		a.Log.WarnContext(ctx, "prefs not saved", "err", err)
	}
}

func (a *API) subscribe(w http.ResponseWriter, r *http.Request) {
	var body struct {
		NDC       string `json:"ndc"`
		PatientID string `json:"patient_id"`
		Channel   string `json:"channel"`
		Address   string `json:"address"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	store := r.PathValue("store")
	err := a.Alerts.Subscribe(r.Context(), store, body.NDC, db.Subscriber{
		PatientID: body.PatientID, Channel: body.Channel, Address: body.Address,
	})
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
	go a.rememberWatch(context.WithoutCancel(r.Context()), body.PatientID, store, body.NDC)
}

func (a *API) redeem(w http.ResponseWriter, r *http.Request) {
	var body struct {
		RxNumber string `json:"rx_number"`
	}
	_ = json.NewDecoder(r.Body).Decode(&body)
	pc, err := a.Pickups.Redeem(r.Context(), r.PathValue("store"), r.PathValue("code"), body.RxNumber)
	switch {
	case errors.Is(err, pickup.ErrInvalidCode), errors.Is(err, db.ErrNoRows):
		http.Error(w, "invalid code", http.StatusNotFound)
	case errors.Is(err, pickup.ErrExpired):
		http.Error(w, "code expired", http.StatusGone)
	case errors.Is(err, pickup.ErrLocked):
		http.Error(w, "see the pharmacist", http.StatusLocked)
	case err != nil:
		http.Error(w, "internal error", http.StatusInternalServerError)
	default:
		writeJSON(w, http.StatusOK, pc)
	}
}

func (a *API) login(w http.ResponseWriter, r *http.Request) {
	// Badge authentication has already happened at the terminal gateway,
	// which forwards the verified identity.
	pharmacist := r.Header.Get("X-Verified-Pharmacist")
	store := r.Header.Get("X-Store-ID")
	if pharmacist == "" || store == "" {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	tok, err := a.Sessions.Login(r.Context(), pharmacist, store, "pharmacist")
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: "rxs", Value: tok.String(), Path: "/", HttpOnly: true, Secure: true,
		SameSite: http.SameSiteStrictMode, MaxAge: int(session.ShiftLength.Seconds()),
	})
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) logout(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie("rxs")
	if err == nil {
		if tok, ok := session.ParseToken(c.Value); ok {
			_ = a.Sessions.Logout(r.Context(), tok)
		}
	}
	http.SetCookie(w, &http.Cookie{Name: "rxs", Value: "", Path: "/", MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
}

// smsStatus receives delivery receipts from the SMS provider.
func (a *API) smsStatus(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	if err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	_ = a.NS.Put(r.Context(), "sms:last_delivery_status", body, 0) // EXPECT kvhotkey
	w.WriteHeader(http.StatusOK)
}

// setBanner lets head office change the banner shown in the patient app.
func (a *API) setBanner(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 16<<10))
	if err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if err := a.NS.Put(r.Context(), "site:banner", body, 0); err != nil { // DEBATABLE kvhotkey
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) coverage(w http.ResponseWriter, r *http.Request) {
	cov, err := a.Formulary.Coverage(r.Context(), r.PathValue("plan"), r.PathValue("ndc"))
	if err != nil {
		http.Error(w, "upstream error", http.StatusBadGateway)
		return
	}
	writeJSON(w, http.StatusOK, cov)
}

// search caches drug-name search results briefly; the catalogue changes a
// few times a day.
func (a *API) search(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query().Get("q")
	sum := sha256.Sum256([]byte(q))
	key := "search:" + hex.EncodeToString(sum[:16])
	if raw, err := a.NS.Get(r.Context(), key); err == nil {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(raw)
		return
	}
	results := map[string]any{"q": q, "results": []string{}}
	data, _ := json.Marshal(results)
	_ = a.NS.PutFor(r.Context(), key, data, 15*time.Second)
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(data)
}
