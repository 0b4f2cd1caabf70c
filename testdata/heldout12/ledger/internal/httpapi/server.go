//go:build js && wasm

// Package httpapi is the worker's HTTP API used by the point-of-sale app,
// the shop dashboard and the public card balance page.
package httpapi

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"

	"example.com/ledger/internal/audit"
	"example.com/ledger/internal/config"
	"example.com/ledger/internal/consts"
	"example.com/ledger/internal/deps"
	"example.com/ledger/internal/edgecache"
	"example.com/ledger/internal/ledger/giftcard"
	"example.com/ledger/internal/ledger/points"
	"example.com/ledger/internal/money"
	"example.com/ledger/internal/session"
	"example.com/ledger/internal/shops"
	"example.com/ledger/internal/storage"
)

// nullText is what GetString returns for a missing key.
const nullText = "<null>"

type server struct {
	cfg    config.Config
	log    *slog.Logger
	kv     *cloudflare.KVNamespace
	sessKV *cloudflare.KVNamespace
	store  storage.Store
	events storage.Writer
	cache  *edgecache.Cache
	points *points.Service
	cards  *giftcard.Service
	shops  *shops.Directory
	staff  *session.Manager
	trail  *audit.Trail
	audit  *audit.Recorder
}

// New builds the API handler from the registry filled by wiring.Build.
func New(reg *deps.Registry) (http.Handler, error) {
	cfg := reg.MustLookup(deps.Config).(config.Config)
	store, ok := reg.Lookup(deps.Ledger).(storage.Store)
	if !ok {
		return nil, errors.New("httpapi: ledger store not registered")
	}
	kv, err := cloudflare.NewKVNamespace(string(cfg.Storage.Bindings.Ledger))
	if err != nil {
		return nil, err
	}
	sessKV, err := cloudflare.NewKVNamespace(string(cfg.Storage.Bindings.Sessions))
	if err != nil {
		return nil, err
	}
	s := &server{
		cfg: cfg, kv: kv, sessKV: sessKV, store: store, events: store,
		log:    reg.MustLookup(deps.Logger).(*slog.Logger),
		cache:  reg.MustLookup(deps.Cache).(*edgecache.Cache),
		points: reg.MustLookup(deps.Points).(*points.Service),
		cards:  reg.MustLookup(deps.Cards).(*giftcard.Service),
		shops:  reg.MustLookup(deps.Shops).(*shops.Directory),
		staff:  reg.MustLookup(deps.Staff).(*session.Manager),
		trail:  reg.MustLookup(deps.Trail).(*audit.Trail),
		audit:  reg.MustLookup(deps.Audit).(*audit.Recorder),
	}
	s.cache.OnMiss = s.fetchRate

	mux := http.NewServeMux()
	mux.Handle("POST /v1/shops/{shop}/customers/{cust}/earn", authed(s, s.earn))
	mux.Handle("GET /v1/shops/{shop}/customers/{cust}/balance", authed(s, s.balance))
	mux.Handle("GET /v1/shops/{shop}/customers/{cust}/statement", authed(s, s.statement))
	mux.Handle("POST /v1/shops/{shop}/customers/{cust}/quotes", authed(s, s.quote))
	mux.Handle("GET /v1/shops/{shop}/customers/{cust}", authed(s, s.profile))
	mux.Handle("POST /v1/shops/{shop}/customers/{cust}/tags", authed(s, s.tag))
	mux.Handle("POST /v1/shops/{shop}/customers/{cust}/notes", authed(s, s.note))
	mux.Handle("GET /v1/shops/{shop}/customers", authed(s, s.customers))
	mux.Handle("GET /v1/shops/{shop}/customers.csv", &exportHandler{s})
	mux.Handle("GET /v1/shops/{shop}/multiplier", public(s, s.multiplier))
	mux.Handle("POST /v1/shops/{shop}/cards", authed(s, s.issueCards))
	mux.Handle("POST /v1/shops/{shop}/cards/claim", authed(s, s.claimCard))
	mux.Handle("PATCH /v1/shops/{shop}", authed(s, s.renameShop))
	mux.Handle("PUT /v1/shops/{shop}/settings", authed(s, s.putSettings))
	mux.Handle("POST /v1/shops", public(s, s.enroll))
	mux.Handle("PUT /v1/shops/{shop}/campaign", authed(s, s.putCampaign))
	mux.Handle("PUT /v1/shops/{shop}/notice", authed(s, s.putNotice))
	mux.Handle("POST /v1/shops/{shop}/terms", authed(s, s.acceptTerms))
	mux.Handle("GET /v1/cards/{code}", public(s, s.card))
	mux.Handle("POST /v1/cards/{code}/holds", public(s, s.hold))
	mux.Handle("POST /v1/cards/{code}/redeem", authed(s, s.redeemCard))
	mux.Handle("GET /v1/rates/{currency}", public(s, s.rates))
	mux.Handle("GET /v1/terms", public(s, s.terms))
	mux.Handle("POST /v1/auth/login", public(s, s.login))
	mux.Handle("POST /v1/auth/logout", public(s, s.logout))
	mux.Handle("POST /v1/auth/otp", public(s, s.issueOTP))
	mux.Handle("POST /v1/auth/otp/verify", public(s, s.verifyOTP))
	mux.Handle("POST /v1/auth/refresh", public(s, s.refresh))
	mux.Handle("POST /v1/admin/refresh-tokens/{token}/revoke", public(s, s.revoke))
	mux.Handle("POST /v1/terminals/{terminal}/cart/items", authed(s, s.addToCart))

	return &limiter{next: mux, kv: kv, perMinute: cfg.HTTP.RequestsPerMinute}, nil
}

// limiter caps requests per client IP per minute.
type limiter struct {
	next      http.Handler
	kv        *cloudflare.KVNamespace
	perMinute int
}

func (l *limiter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ip := r.Header.Get("CF-Connecting-IP")
	if ip == "" || l.perMinute <= 0 {
		l.next.ServeHTTP(w, r)
		return
	}
	key := consts.PrefixRateLimit.Key(ip, time.Now().UTC().Format("200601021504"))
	n := 0
	if v, err := l.kv.GetString(key, nil); err == nil && v != nullText {
		n, _ = strconv.Atoi(v)
	}
	if n >= l.perMinute {
		w.Header().Set("Retry-After", "60")
		writeJSON(w, http.StatusTooManyRequests, map[string]string{"error": "rate limited"})
		return
	}
	if err := l.kv.PutString(key, strconv.Itoa(n+1), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 120}); err != nil { // EXPECT kvcounter
		slog.Warn("rate limit write", "err", err)
	}
	l.next.ServeHTTP(w, r)
}

// call carries one request through an endpoint.
type call struct {
	r    *http.Request
	sess session.Session
}

func (c call) ctx() context.Context     { return c.r.Context() }
func (c call) path(name string) string  { return c.r.PathValue(name) }
func (c call) query(name string) string { return c.r.URL.Query().Get(name) }
func (c call) decode(v any) error       { return decodeBody(c.r, v) }
func (c call) amount(s string) (money.Cents, error) {
	a, err := money.Parse(s)
	if err != nil || a <= 0 {
		return 0, badRequest("invalid amount")
	}
	return a, nil
}

// endpoint adapts a function returning (status, body, error) to
// http.Handler, with optional staff authentication.
type endpoint struct {
	s    *server
	auth bool
	fn   func(call) (int, any, error)
}

func authed(s *server, fn func(call) (int, any, error)) endpoint { return endpoint{s, true, fn} }
func public(s *server, fn func(call) (int, any, error)) endpoint { return endpoint{s, false, fn} }

func (e endpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c := call{r: r}
	if e.auth {
		sess, err := e.s.authenticate(r)
		if err != nil {
			e.s.writeErr(w, err)
			return
		}
		c.sess = sess
	}
	status, body, err := e.fn(c)
	if err != nil {
		e.s.writeErr(w, err)
		return
	}
	switch b := body.(type) {
	case nil:
		w.WriteHeader(status)
	case json.RawMessage:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write(b)
	default:
		writeJSON(w, status, b)
	}
}

type httpError struct {
	status int
	msg    string
}

func (e httpError) Error() string { return e.msg }

func badRequest(msg string) error { return httpError{http.StatusBadRequest, msg} }

var statusFor = []struct {
	err    error
	status int
}{
	{session.ErrNoSession, http.StatusUnauthorized},
	{session.ErrBadOTP, http.StatusUnauthorized},
	{session.ErrLocked, http.StatusLocked},
	{giftcard.ErrNotFound, http.StatusNotFound},
	{giftcard.ErrBadCode, http.StatusBadRequest},
	{giftcard.ErrCodeTaken, http.StatusConflict},
	{giftcard.ErrInsufficient, http.StatusConflict},
	{giftcard.ErrInactive, http.StatusConflict},
	{points.ErrInsufficient, http.StatusConflict},
	{shops.ErrQuotaExceeded, http.StatusPaymentRequired},
	{storage.ErrNotFound, http.StatusNotFound},
}

func (s *server) requireAdmin(c call) error {
	tok := c.r.Header.Get("X-Admin-Token")
	if s.cfg.HTTP.AdminToken == "" || subtle.ConstantTimeCompare([]byte(tok), []byte(s.cfg.HTTP.AdminToken)) != 1 {
		return httpError{http.StatusForbidden, "admin only"}
	}
	return nil
}

func (s *server) writeErr(w http.ResponseWriter, err error) {
	var he httpError
	if errors.As(err, &he) {
		writeJSON(w, he.status, map[string]string{"error": he.msg})
		return
	}
	for _, m := range statusFor {
		if errors.Is(err, m.err) {
			writeJSON(w, m.status, map[string]string{"error": err.Error()})
			return
		}
	}
	s.log.Error("request failed", "err", err)
	writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "internal error"})
}

// authenticate resolves the staff session from the bearer token.
func (s *server) authenticate(r *http.Request) (session.Session, error) {
	id, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || id == "" {
		return session.Session{}, session.ErrNoSession
	}
	sess, err := s.staff.Lookup(r.Context(), id)
	if err != nil {
		return sess, err
	}
	if shop := r.PathValue("shop"); shop != "" && shop != sess.ShopID {
		return sess, httpError{http.StatusForbidden, "wrong shop"}
	}
	if sess, err = s.staff.Touch(r.Context(), sess); err != nil {
		s.log.Warn("session touch", "err", err)
	}
	return sess, nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func decodeBody(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return badRequest("bad request body: " + err.Error())
	}
	return nil
}

// readJSON decodes the JSON value stored under key.
func readJSON(kv *cloudflare.KVNamespace, key string, out any) error {
	v, err := kv.GetString(key, nil) // EXPECT kvnull
	if err != nil {
		return err
	}
	return json.Unmarshal([]byte(v), out)
}
