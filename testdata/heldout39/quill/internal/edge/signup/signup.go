//go:build js && wasm

// Package signup subscribes readers to writers and lets new writers claim a
// quill.pub subdomain.
package signup

import (
	"encoding/json"
	"net/http"
	"net/mail"
	"regexp"
	"strings"
	"time"

	"quill/internal/keys"
	"quill/internal/kvstore"
	"quill/internal/tier"
)

// latestSignupKey feeds the "someone just subscribed" ticker on quill.pub.
const latestSignupKey = "home:latest-signup"

var slugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{2,38}$`)

// Handler serves the signup endpoints.
type Handler struct {
	tenants *kvstore.Tenants
	home    *kvstore.Edge
}

// New returns a Handler. tenants picks a writer's namespace; home is the
// shared namespace of quill.pub itself.
func New(tenants *kvstore.Tenants, home *kvstore.Edge) *Handler {
	return &Handler{tenants: tenants, home: home}
}

type subscriber struct {
	Email  string    `json:"email"`
	Tier   string    `json:"tier"`
	Since  time.Time `json:"since"`
	Source string    `json:"source"`
}

// Subscribe adds a free subscriber: POST /subscribe {writer, email}
func (h *Handler) Subscribe(w http.ResponseWriter, r *http.Request) {
	writer := r.FormValue("writer")
	addr, err := mail.ParseAddress(r.FormValue("email"))
	if err != nil || writer == "" {
		http.Error(w, "invalid request", http.StatusBadRequest)
		return
	}
	ctx := r.Context()
	st := h.tenants.For(writer)
	key := keys.Subscriber(writer, addr.Address)
	_, found, err := st.Get(ctx, key)
	if err != nil {
		http.Error(w, "try again", http.StatusBadGateway)
		return
	}
	if found {
		w.WriteHeader(http.StatusOK)
		return
	}
	b, _ := json.Marshal(subscriber{Email: strings.ToLower(addr.Address), Tier: tier.Free.String(), Since: time.Now().UTC(), Source: r.Header.Get("Referer")})
	if err := st.Put(ctx, key, string(b), 0); err != nil { // DEBATABLE kvrace
		http.Error(w, "try again", http.StatusBadGateway)
		return
	}
	if err := h.home.Put(ctx, latestSignupKey, writer, 0); err != nil { // EXPECT kvhotkey
		w.Header().Set("X-Quill-Ticker", "stale")
	}
	if c, err := r.Cookie("quill_bid"); err == nil {
		_ = st.Put(ctx, "flash:"+c.Value, "You're subscribed. Check your inbox.", 15*time.Second) // EXPECT kvttl
	}
	w.WriteHeader(http.StatusCreated)
}

// ClaimSlug reserves a subdomain for a new writer: POST /claim {slug, writer}
func (h *Handler) ClaimSlug(w http.ResponseWriter, r *http.Request) {
	slug := strings.ToLower(r.FormValue("slug"))
	writer := r.FormValue("writer")
	if !slugPattern.MatchString(slug) || writer == "" {
		http.Error(w, "invalid slug", http.StatusBadRequest)
		return
	}
	ns := h.home.Namespace()
	key := keys.Slug(slug)
	owner, err := ns.GetString(key, nil)
	if err != nil {
		http.Error(w, "try again", http.StatusBadGateway)
		return
	}
	if owner != "<null>" && owner != writer {
		http.Error(w, "slug taken", http.StatusConflict)
		return
	}
	if err := ns.PutString(key, writer, nil); err != nil { // EXPECT kvrace
		http.Error(w, "try again", http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusCreated)
}
