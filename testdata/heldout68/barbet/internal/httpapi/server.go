// Package httpapi assembles barbet's public HTTP surface: the tus endpoint,
// the JSON API, the dashboard API and the transcoder callbacks.
package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"

	"github.com/barbet-video/barbet/internal/abuse"
	"github.com/barbet-video/barbet/internal/kvstore"
	"github.com/barbet-video/barbet/internal/links"
	"github.com/barbet-video/barbet/internal/sessions"
	"github.com/barbet-video/barbet/internal/transcode"
	"github.com/barbet-video/barbet/internal/uploads"
)

// Config is everything the server routes to.
type Config struct {
	Addr      string
	Tus       http.Handler
	Tickets   *kvstore.Namespace
	Links     *links.Issuer
	Sessions  *sessions.Store
	Transcode *transcode.Service
	Abuse     *abuse.Desk
	Log       *slog.Logger

	// Raw access for the maintenance switch, which ops flip from the dashboard.
	API         *cloudflare.Client
	AccountID   string
	ConfigNSID  string
	MaxTicketMB int64
}

// New returns the server; the caller starts and stops it.
func New(cfg Config) *http.Server {
	api := http.NewServeMux()
	t := &ticketDesk{ns: cfg.Tickets, log: cfg.Log, maxBytes: cfg.MaxTicketMB << 20}
	api.HandleFunc("POST /tickets", t.mint)
	api.HandleFunc("POST /tickets/batch", t.mintBatch)
	api.HandleFunc("POST /links", cfg.Links.Issue)
	api.HandleFunc("POST /links/embed", cfg.Links.IssueEmbed)
	api.HandleFunc("DELETE /links", cfg.Links.Revoke)
	api.HandleFunc("POST /abuse/reports", cfg.Abuse.File)
	api.HandleFunc("GET /abuse/blocks", cfg.Abuse.List)
	api.HandleFunc("DELETE /abuse/blocks", cfg.Abuse.Lift)

	dash := http.NewServeMux()
	dash.HandleFunc("GET /preview", cfg.Links.Preview)
	dash.HandleFunc("POST /open", func(w http.ResponseWriter, r *http.Request) {
		if err := cfg.Sessions.RememberUpload(r, r.URL.Query().Get("upload")); err != nil {
			http.Error(w, "not remembered", http.StatusBadGateway)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})

	root := http.NewServeMux()
	root.Handle("/files/", http.StripPrefix("/files/", cfg.Tus))
	root.Handle("/api/", http.StripPrefix("/api", http.TimeoutHandler(maintenance(cfg, api), 15*time.Second, "request timed out\n")))
	root.Handle("/dashboard/api/", http.StripPrefix("/dashboard/api", sessions.RequireSession{Store: cfg.Sessions, Next: dash}))
	root.HandleFunc("GET /admin/abuse/export", cfg.Abuse.Export)
	root.HandleFunc("POST /auth/login", cfg.Sessions.Login)
	root.HandleFunc("POST /auth/logout", cfg.Sessions.Logout)
	root.HandleFunc("GET /auth/partner", cfg.Sessions.BeginOAuth)
	root.HandleFunc("GET /auth/partner/callback", cfg.Sessions.OAuthCallback)
	root.HandleFunc("POST /auth/code", cfg.Sessions.SendCode)
	root.HandleFunc("POST /auth/code/verify", cfg.Sessions.VerifyCode)
	root.HandleFunc("POST /auth/refresh", cfg.Sessions.Refresh)
	root.Handle("POST /transcoder/events", http.MaxBytesHandler(http.HandlerFunc(cfg.Transcode.Events), 4<<20))
	root.Handle("POST /transcoder/progress", http.HandlerFunc(cfg.Transcode.Progress))
	root.Handle("PUT /transcoder/manifest", http.MaxBytesHandler(http.HandlerFunc(cfg.Transcode.PutManifest), 1<<20))
	root.Handle("GET /transcoder/manifest", http.TimeoutHandler(http.HandlerFunc(cfg.Transcode.GetManifest), 5*time.Second, ""))
	root.Handle("POST /edge/views", http.MaxBytesHandler(http.HandlerFunc(cfg.Links.RecordViews), 256<<10))

	return &http.Server{
		Addr:              cfg.Addr,
		Handler:           root,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
}

// maintenance answers 503 while ops hold the API in maintenance mode.
func maintenance(cfg Config, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		on, err := maintenanceOn(r.Context(), cfg)
		if err != nil {
			cfg.Log.Warn("maintenance flag unreadable", "err", err)
		}
		if on {
			w.Header().Set("Retry-After", "120")
			http.Error(w, "barbet is under maintenance", http.StatusServiceUnavailable)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func maintenanceOn(ctx context.Context, cfg Config) (bool, error) {
	resp, err := cfg.API.KV.Namespaces.Values.Get(ctx, cfg.ConfigNSID, "config%2Fmaintenance",
		kv.NamespaceValueGetParams{AccountID: cloudflare.F(cfg.AccountID)})
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64))
	if err != nil {
		return false, err
	}
	if len(raw) == 0 { // EXPECT kvnull
		return false, nil
	}
	return strconv.ParseBool(string(raw))
}

type ticketDesk struct {
	ns       *kvstore.Namespace
	log      *slog.Logger
	maxBytes int64
}

type ticketRequest struct {
	MaxBytes  int64 `json:"max_bytes"`
	ExpiresIn int64 `json:"expires_in"`
}

func newTicketID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

var errTooManyTickets = errors.New("too many tickets this hour")

// throttle allows 120 tickets per account per hour.
func (t *ticketDesk) throttle(ctx context.Context, account string, n int) error {
	key := "ratelimit/tickets/" + account + "/" + time.Now().UTC().Format("2006010215")
	used := 0
	if raw, err := t.ns.Get(ctx, key); err == nil {
		used, _ = strconv.Atoi(string(raw))
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	if used+n > 120 {
		return errTooManyTickets
	}
	return t.ns.Put(ctx, key, []byte(strconv.Itoa(used+n)), 2*time.Hour) // EXPECT kvcounter|kvrace
}

func (t *ticketDesk) build(account string, req ticketRequest) (string, uploads.Ticket, time.Duration) {
	life := min(max(time.Duration(req.ExpiresIn)*time.Second, 5*time.Minute), 24*time.Hour)
	maxBytes := req.MaxBytes
	if maxBytes <= 0 || maxBytes > t.maxBytes {
		maxBytes = t.maxBytes
	}
	return newTicketID(), uploads.Ticket{Account: account, MaxBytes: maxBytes, ExpiresAt: time.Now().Add(life).UTC()}, life
}

// store writes a ticket with the account and deadline in its metadata, so
// the sweeper can work from listings alone.
func (t *ticketDesk) store(ctx context.Context, id string, tk uploads.Ticket, life time.Duration) error {
	b, err := json.Marshal(tk)
	if err != nil {
		return err
	}
	meta := map[string]any{"account": tk.Account, "deadline": tk.ExpiresAt.Unix()}
	return t.ns.PutWithMeta(ctx, "ticket/"+id, b, meta, life)
}

// mint issues one upload ticket.
func (t *ticketDesk) mint(w http.ResponseWriter, r *http.Request) {
	account := r.Header.Get("X-Barbet-Account")
	var req ticketRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil && !errors.Is(err, io.EOF) {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if err := t.throttle(r.Context(), account, 1); err != nil {
		http.Error(w, err.Error(), http.StatusTooManyRequests)
		return
	}
	id, tk, life := t.build(account, req)
	if err := t.store(r.Context(), id, tk, life); err != nil {
		http.Error(w, "ticket not stored", http.StatusBadGateway)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"ticket": id, "expires_at": tk.ExpiresAt})
}

// mintBatch issues up to 50 tickets for the desktop uploader's folder sync.
func (t *ticketDesk) mintBatch(w http.ResponseWriter, r *http.Request) {
	account := r.Header.Get("X-Barbet-Account")
	var reqs []ticketRequest
	if err := json.NewDecoder(r.Body).Decode(&reqs); err != nil || len(reqs) == 0 || len(reqs) > 50 {
		http.Error(w, "send 1 to 50 ticket requests", http.StatusBadRequest)
		return
	}
	if err := t.throttle(r.Context(), account, len(reqs)); err != nil {
		http.Error(w, err.Error(), http.StatusTooManyRequests)
		return
	}
	out := make([]string, 0, len(reqs))
	for _, req := range reqs {
		id, tk, life := t.build(account, req)
		if err := t.store(r.Context(), id, tk, life); err != nil {
			http.Error(w, "ticket not stored", http.StatusBadGateway)
			return
		}
		if err := t.ns.PutJSON(r.Context(), "account/"+account+"/last-ticket", tk, 0); err != nil { // EXPECT kvhotkey
			t.log.Warn("last ticket not recorded", "err", err)
		}
		out = append(out, id)
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"tickets": out})
}
