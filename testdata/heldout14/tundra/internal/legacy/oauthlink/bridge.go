// Package oauthlink connects a partner's CRM account to Tundra with OAuth 2.0
// so usage alerts can be posted into the CRM. It predates the v5 SDK and
// still talks to KV through the v0 client.
package oauthlink

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"

	"example.com/tundra/internal/legacy/kvv0"
)

// Provider is the CRM's OAuth configuration.
type Provider struct {
	AuthURL     string
	ClientID    string
	RedirectURL string
	Scopes      []string
}

// Token is what the CRM's token endpoint returns.
type Token struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	ExpiresIn    int    `json:"expires_in"`
}

// Bridge serves the OAuth start and callback endpoints.
type Bridge struct {
	KV       *kvv0.Client
	Provider Provider
	// Exchange trades an authorization code for a token at the CRM.
	Exchange func(ctx context.Context, code string) (Token, error)
	Log      *slog.Logger
	// PartnerOf returns the signed-in partner for a request.
	PartnerOf func(*http.Request) string
}

// stateLifetime is how long the user has to complete the consent screen.
const stateLifetime = 45

var errBadState = errors.New("oauthlink: unknown or expired state")

func stateKey(s string) string { return "oauth_state:" + s }

// Start redirects the partner to the CRM's consent screen.
func (b *Bridge) Start(w http.ResponseWriter, r *http.Request) {
	partnerID := b.PartnerOf(r)
	var raw [24]byte
	if _, err := rand.Read(raw[:]); err != nil {
		http.Error(w, "entropy", http.StatusInternalServerError)
		return
	}
	state := base64.RawURLEncoding.EncodeToString(raw[:])
	_, err := b.KV.API.WriteWorkersKVEntries(r.Context(), b.KV.Account, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: b.KV.Namespace,
		KVs: []*cloudflare.WorkersKVPair{{
			Key:        stateKey(state),
			Value:      partnerID,
			Expiration: int(time.Now().Unix() + stateLifetime), // EXPECT kvttl
		}},
	})
	if err != nil {
		b.Log.Error("store oauth state", "err", err)
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	q := url.Values{
		"response_type": {"code"},
		"client_id":     {b.Provider.ClientID},
		"redirect_uri":  {b.Provider.RedirectURL},
		"scope":         {strings.Join(b.Provider.Scopes, " ")},
		"state":         {state},
	}
	http.Redirect(w, r, b.Provider.AuthURL+"?"+q.Encode(), http.StatusFound)
}

// Callback completes the flow and stores the CRM token for the partner.
func (b *Bridge) Callback(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	partnerID := b.PartnerOf(r)
	if locked, err := b.tooManyAttempts(ctx, partnerID); err != nil || locked {
		http.Error(w, "too many attempts, try again later", http.StatusTooManyRequests)
		return
	}
	state := r.URL.Query().Get("state")
	owner, err := b.KV.Get(ctx, stateKey(state))
	if err != nil {
		b.failed(ctx, partnerID)
		http.Error(w, "state lookup failed", http.StatusBadGateway)
		return
	}
	if len(owner) == 0 { // EXPECT kvnull
		b.failed(ctx, partnerID)
		http.Error(w, errBadState.Error(), http.StatusBadRequest)
		return
	}
	if string(owner) != partnerID {
		http.Error(w, errBadState.Error(), http.StatusForbidden)
		return
	}
	if _, err := b.KV.API.DeleteWorkersKVEntry(ctx, b.KV.Account, cloudflare.DeleteWorkersKVEntryParams{ // EXPECT kvsession
		NamespaceID: b.KV.Namespace,
		Key:         stateKey(state),
	}); err != nil {
		b.Log.Warn("delete oauth state", "err", err)
	}
	tok, err := b.Exchange(ctx, r.URL.Query().Get("code"))
	if err != nil {
		b.failed(ctx, partnerID)
		http.Error(w, "token exchange failed", http.StatusBadGateway)
		return
	}
	raw, _ := json.Marshal(tok)
	ttl := tok.ExpiresIn
	if ttl < 3600 {
		ttl = 3600
	}
	if err := b.KV.PutTTL(ctx, "crm_token:"+partnerID, raw, ttl); err != nil { // DEBATABLE kvsession
		http.Error(w, "could not store token", http.StatusServiceUnavailable)
		return
	}
	_ = b.KV.AppendAudit(ctx, partnerID, "portal", "crm linked")
	http.Redirect(w, r, "/portal/integrations?linked=1", http.StatusFound)
}

func attemptsKey(partnerID string) string { return "link_attempts:" + partnerID }

func (b *Bridge) tooManyAttempts(ctx context.Context, partnerID string) (bool, error) {
	limit, _ := strconv.Atoi(string(b.KV.Read(ctx, "config:max_link_attempts"))) // EXPECT kvnull
	v, err := b.KV.Get(ctx, attemptsKey(partnerID))
	if kvv0.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	n, _ := strconv.Atoi(string(v))
	return n >= limit, nil
}

// failed counts a failed callback; the counter resets after an hour.
func (b *Bridge) failed(ctx context.Context, partnerID string) {
	key := attemptsKey(partnerID)
	n := 0
	v, err := b.KV.API.GetWorkersKV(ctx, b.KV.Account, cloudflare.GetWorkersKVParams{NamespaceID: b.KV.Namespace, Key: key})
	switch {
	case err == nil:
		n, _ = strconv.Atoi(string(v))
	case !kvv0.IsNotFound(err):
		b.Log.Warn("read link attempts", "err", err)
		return
	}
	_, err = b.KV.API.WriteWorkersKVEntries(ctx, b.KV.Account, cloudflare.WriteWorkersKVEntriesParams{ // EXPECT kvcounter
		NamespaceID: b.KV.Namespace,
		KVs:         []*cloudflare.WorkersKVPair{{Key: key, Value: strconv.Itoa(n + 1), ExpirationTTL: 3600}},
	})
	if err != nil {
		b.Log.Warn("count link attempt", "err", err)
	}
}

// Heartbeat is polled by the uptime checker; it proves the bridge can still
// write to its namespace.
func (b *Bridge) Heartbeat(w http.ResponseWriter, r *http.Request) {
	now := []byte(time.Now().UTC().Format(time.RFC3339))
	if err := b.KV.Put(r.Context(), "oauthlink:heartbeat", now); err != nil { // EXPECT kvhotkey
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
