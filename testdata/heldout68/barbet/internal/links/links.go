// Package links mints and revokes signed download links. The edge Worker
// checks the signature and the link record; the backend owns the records.
package links

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/barbet-video/barbet/internal/kvstore"
	"github.com/barbet-video/barbet/internal/policy"
)

// Link is the record behind a signed download URL.
type Link struct {
	ID        string    `json:"id"`
	UploadID  string    `json:"upload_id"`
	Account   string    `json:"account"`
	Rendition string    `json:"rendition"`
	ExpiresAt time.Time `json:"expires_at"`
	Slug      string    `json:"slug,omitempty"`
}

var errSlugTaken = errors.New("links: slug already taken")

// Issuer serves the link endpoints of the API.
type Issuer struct {
	NS      *kvstore.Namespace
	Policy  *policy.Engine
	Secret  []byte
	BaseURL string
	Log     *slog.Logger

	mu    sync.Mutex
	views map[string]int64
}

func linkKey(id string) string    { return "link/" + id }
func revokedKey(id string) string { return "revoked/" + id }
func slugKey(s string) string     { return "slug/" + strings.ToLower(s) }

func randomID() string {
	var b [15]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// Sign returns the signature the edge recomputes for id and expiry.
func Sign(secret []byte, id string, exp int64) string {
	m := hmac.New(sha256.New, secret)
	fmt.Fprintf(m, "%s.%d", id, exp)
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

type issueRequest struct {
	UploadID  string `json:"upload_id"`
	Rendition string `json:"rendition"`
	Seconds   int64  `json:"seconds"`
	Slug      string `json:"slug"`
}

// Issue mints a link whose lifetime the lifetime policy decides.
func (i *Issuer) Issue(w http.ResponseWriter, r *http.Request) {
	var req issueRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.UploadID == "" {
		http.Error(w, "upload_id is required", http.StatusBadRequest)
		return
	}
	account := r.Header.Get("X-Barbet-Account")
	life, err := i.Policy.LinkLifetime(policy.Activation{
		"account": map[string]any{"plan": r.Header.Get("X-Barbet-Plan")},
		"link":    map[string]any{"requested": req.Seconds},
	})
	if err != nil {
		http.Error(w, "lifetime policy failed", http.StatusInternalServerError)
		return
	}
	life = max(life, 5*time.Minute)

	l := Link{
		ID:        randomID(),
		UploadID:  req.UploadID,
		Account:   account,
		Rendition: req.Rendition,
		ExpiresAt: time.Now().Add(life).UTC().Truncate(time.Second),
	}
	if req.Slug != "" {
		if err := i.claimSlug(r, req.Slug, l.ID); errors.Is(err, errSlugTaken) {
			http.Error(w, err.Error(), http.StatusConflict)
			return
		} else if err != nil {
			http.Error(w, "slug not claimed", http.StatusBadGateway)
			return
		}
		l.Slug = req.Slug
	}
	b, _ := json.Marshal(l)
	if err := i.NS.PutUntil(r.Context(), linkKey(l.ID), b, l.ExpiresAt); err != nil {
		http.Error(w, "link not stored", http.StatusBadGateway)
		return
	}
	i.respond(w, l)
}

// IssueEmbed mints a link for the CMS embed proxy. The proxy tells us in
// X-Embed-Expires until when the page that embeds the player is cached.
func (i *Issuer) IssueEmbed(w http.ResponseWriter, r *http.Request) {
	until, err := http.ParseTime(r.Header.Get("X-Embed-Expires"))
	if err != nil || !until.After(time.Now()) {
		http.Error(w, "X-Embed-Expires is required", http.StatusBadRequest)
		return
	}
	l := Link{
		ID:        randomID(),
		UploadID:  r.URL.Query().Get("upload"),
		Account:   r.Header.Get("X-Barbet-Account"),
		Rendition: "720p",
		ExpiresAt: until.UTC(),
	}
	b, _ := json.Marshal(l)
	if err := i.NS.Put(r.Context(), linkKey(l.ID), b, time.Until(until)); err != nil { // EXPECT kvttl
		http.Error(w, "link not stored", http.StatusBadGateway)
		return
	}
	i.respond(w, l)
}

// Preview mints a link for the hover preview in the dashboard grid; the
// browser fetches it immediately.
func (i *Issuer) Preview(w http.ResponseWriter, r *http.Request) {
	l := Link{
		ID:        randomID(),
		UploadID:  r.URL.Query().Get("upload"),
		Account:   r.Header.Get("X-Barbet-Account"),
		Rendition: "240p",
		ExpiresAt: time.Now().Add(30 * time.Second),
	}
	b, _ := json.Marshal(l)
	if err := i.NS.PutUntil(r.Context(), linkKey(l.ID), b, time.Now().Add(30*time.Second)); err != nil { // EXPECT kvttl
		http.Error(w, "preview not stored", http.StatusBadGateway)
		return
	}
	i.respond(w, l)
}

func (i *Issuer) respond(w http.ResponseWriter, l Link) {
	exp := l.ExpiresAt.Unix()
	u := fmt.Sprintf("%s/d/%s?exp=%d&sig=%s", i.BaseURL, url.PathEscape(l.ID), exp, Sign(i.Secret, l.ID, exp))
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"id": l.ID, "url": u, "expires_at": l.ExpiresAt})
}

// claimSlug reserves a vanity slug for a link.
func (i *Issuer) claimSlug(r *http.Request, slug, id string) error {
	if _, err := i.NS.Get(r.Context(), slugKey(slug)); err == nil {
		return errSlugTaken
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	return i.NS.Put(r.Context(), slugKey(slug), []byte(id), 0) // EXPECT kvrace
}

// Revoke withdraws a link before it expires.
func (i *Issuer) Revoke(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("id")
	var l Link
	if err := i.NS.GetJSON(r.Context(), linkKey(id), &l); errors.Is(err, kvstore.ErrNotFound) {
		http.NotFound(w, r)
		return
	} else if err != nil {
		http.Error(w, "link unavailable", http.StatusBadGateway)
		return
	}
	if l.Account != r.Header.Get("X-Barbet-Account") {
		http.Error(w, "not your link", http.StatusForbidden)
		return
	}
	stamp := []byte(time.Now().UTC().Format(time.RFC3339))
	if err := i.NS.Put(r.Context(), revokedKey(id), stamp, max(time.Until(l.ExpiresAt), time.Minute)); err != nil { // EXPECT kvsession
		http.Error(w, "revocation not stored", http.StatusBadGateway)
		return
	}
	if err := i.NS.Delete(r.Context(), linkKey(id)); err != nil { // EXPECT kvsession
		i.Log.Warn("revoked link record kept", "link", id, "err", err)
	}
	w.WriteHeader(http.StatusNoContent)
}

// RecordViews takes the edge's download tallies, a JSON object of link ID to
// downloads since the last report, and keeps a running total per link.
func (i *Issuer) RecordViews(w http.ResponseWriter, r *http.Request) {
	dec := json.NewDecoder(r.Body)
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		http.Error(w, "expected a JSON object", http.StatusBadRequest)
		return
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		id, _ := t.(string)
		var n int64
		if err := dec.Decode(&n); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		i.mu.Lock()
		if i.views == nil {
			i.views = map[string]int64{}
		}
		i.views[id] += n
		total := i.views[id]
		i.mu.Unlock()
		if err := i.NS.Put(r.Context(), "views/"+id, []byte(strconv.FormatInt(total, 10)), 0); err != nil { // EXPECT kvcounter
			i.Log.Warn("views not stored", "link", id, "err", err)
		}
	}
	w.WriteHeader(http.StatusNoContent)
}
