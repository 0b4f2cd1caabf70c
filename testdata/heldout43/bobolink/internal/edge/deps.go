//go:build js && wasm

// Package edge is the Worker: tracking pixels and redirects, subscribe and
// double opt-in, the subscriber preference center and a small admin API.
package edge

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"
	"path"
	"time"

	"github.com/syumai/workers/cloudflare/queues"

	"bobolink/internal/clock"
	"bobolink/internal/edgekv"
	"bobolink/internal/kvkeys"
)

// Deps is what the handlers close over.
type Deps struct {
	Tenants  *edgekv.Registry
	Edge     *edgekv.Store // EDGE: shared config, caches, dashboard keys
	Sessions *edgekv.Store // SESSIONS
	Tokens   *edgekv.Store // TOKENS: opt-in, magic-link and OAuth state
	Outbox   *queues.Producer
	Clock    clock.Clock
	Env      clock.Lookup
	Secret   []byte
	Log      *slog.Logger

	SessionIdle time.Duration

	Links *edgekv.Cache[linkRef, Link]
	Lists *edgekv.Cache[listRef, ListSettings]
}

type linkRef struct {
	Tenant string
	Key    kvkeys.LinkKey
}

type listRef struct {
	Tenant string
	List   kvkeys.ListKey
}

// NewDeps opens the bindings and builds the caches.
func NewDeps(env clock.Lookup, log *slog.Logger) (Deps, error) {
	d := Deps{Clock: clock.System{}, Env: env, Log: log, Secret: []byte(env("LINK_SECRET"))}
	var err error
	if d.Edge, err = edgekv.Open("EDGE"); err != nil {
		return d, err
	}
	if d.Sessions, err = edgekv.Open("SESSIONS"); err != nil {
		return d, err
	}
	if d.Tokens, err = edgekv.Open("TOKENS"); err != nil {
		return d, err
	}
	if d.Outbox, err = queues.NewProducer("OUTBOX"); err != nil {
		return d, err
	}
	d.Tenants = edgekv.NewRegistry(env("TENANT_BINDINGS"), d.Sessions)
	d.SessionIdle = clock.Duration(env, "SESSION_IDLE", 30*time.Minute)

	d.Links = edgekv.NewCache(d.Edge, d.Clock,
		func(r linkRef) string { return path.Join("cache", r.Tenant, r.Key.String()) },
		func(Link) time.Duration { return 6 * time.Hour },
	)
	d.Lists = edgekv.NewCache(d.Edge, d.Clock,
		func(r listRef) string { return path.Join("cache", r.Tenant, r.List.Key()) },
		func(s ListSettings) time.Duration {
			if s.Closed {
				return 24 * time.Hour
			}
			return 45 * time.Second // EXPECT kvttl
		},
	)
	return d, nil
}

// Routes mounts every handler.
func Routes(d Deps) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /o/{campaign}/{sub}", handleOpen(d))
	mux.Handle("GET /c/{campaign}/{slug}", handleClick(d))
	mux.Handle("GET /v/{campaign}", handleWebView(d))
	mux.Handle("POST /subscribe", handleSubscribe(d))
	mux.Handle("GET /confirm/{token}", handleConfirm(d))
	mux.Handle("POST /unsubscribe/{token}", handleUnsubscribe(d))
	mux.Handle("POST /login", handleMagicRequest(d))
	mux.Handle("GET /login/{token}", handleMagicRedeem(d))
	mux.Handle("POST /logout", handleLogout(d))
	mux.Handle("GET /prefs", handlePrefs(d))
	mux.Handle("POST /prefs", handlePrefsUpdate(d))
	mux.Handle("GET /connect/mailchimp", handleOAuthStart(d))
	mux.Handle("GET /connect/mailchimp/callback", handleOAuthCallback(d))
	mux.Handle("GET /api/lists/{list}/members", handleMembersPage(d))
	mux.Handle("GET /api/lists/{list}/export", handleExport(d))
	mux.Handle("GET /api/lists/{list}/count", handleCount(d))
	mux.Handle("POST /api/lists/{list}/reindex", handleReindex(d))
	mux.Handle("POST /api/previews", handlePreview(d))
	return mux
}

func (d Deps) tenant(w http.ResponseWriter, r *http.Request) (*edgekv.Tenant, bool) {
	t, err := d.Tenants.Resolve(r.Host)
	if err != nil {
		http.NotFound(w, r)
		return nil, false
	}
	return t, true
}

// mailJob is the message the mailer queue consumer expects.
type mailJob struct {
	Template string `json:"template"`
	Tenant   string `json:"tenant"`
	To       string `json:"to"`
	Link     string `json:"link"`
}

func (d Deps) enqueueMail(j mailJob) error {
	b, err := json.Marshal(j)
	if err != nil {
		return err
	}
	return d.Outbox.SendText(string(b))
}

func newToken() string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// subscriberRecord mirrors subscribers.Subscriber's JSON on the backend.
type subscriberRecord struct {
	List        string            `json:"list"`
	Email       string            `json:"email"`
	Status      string            `json:"status"`
	Tags        []string          `json:"tags,omitempty"`
	Attrs       map[string]string `json:"attrs,omitempty"`
	Source      string            `json:"source,omitempty"`
	Bounces     int               `json:"bounces"`
	ConfirmedAt time.Time         `json:"confirmed_at,omitzero"`
	UpdatedAt   time.Time         `json:"updated_at"`
}
