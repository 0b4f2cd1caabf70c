// Package authorlogin signs authors in (OAuth code flow with PKCE) and keeps sessions.
package authorlogin

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"example.com/quill/internal/cfkv"
	"example.com/quill/internal/config"
	"example.com/quill/internal/keys"
)

var now = time.Now

// maxFailures is how many failed sign-ins lock an address for a while.
const maxFailures = 5

var (
	ErrUnknownState = errors.New("authorlogin: sign-in expired, please start again")
	ErrLockedOut    = errors.New("authorlogin: too many failed attempts, try again later")
)

// Identity is the signed-in author as reported by the provider.
type Identity struct {
	Subject string `json:"sub"`
	Email   string `json:"email"`
	Name    string `json:"name"`
}

type pending struct {
	Verifier string    `json:"verifier"`
	Redirect string    `json:"redirect"`
	Created  time.Time `json:"created"`
}

// PKCE runs the authorization-code flow.
type PKCE struct {
	cf                            *cloudflare.Client
	accountID, namespace          string
	issuer, clientID, callbackURL string
	http                          *http.Client
}

// NewPKCE returns a PKCE flow that keeps its state in the auth namespace.
func NewPKCE(cf *cloudflare.Client, cfg *config.Config, callbackURL string) *PKCE {
	return &PKCE{
		cf: cf, accountID: cfg.AccountID, namespace: cfg.AuthNamespace,
		issuer: strings.TrimSuffix(cfg.OAuthIssuer, "/"), clientID: cfg.OAuthClientID,
		callbackURL: callbackURL, http: &http.Client{Timeout: 10 * time.Second},
	}
}

func pkceKey(state string) string     { return keys.Join("pkce", state) }
func attemptsKey(email string) string { return keys.Join("attempts", keys.EmailHash(email)) }

func (p *PKCE) read(ctx context.Context, key string) ([]byte, error) {
	resp, err := p.cf.KV.Namespaces.Values.Get(ctx, p.namespace, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(p.accountID),
	})
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// Begin stores a fresh verifier and returns the provider's authorize URL.
func (p *PKCE) Begin(ctx context.Context, redirect string) (string, error) {
	state, verifier := rand.Text(), rand.Text()+rand.Text()
	b, _ := json.Marshal(pending{Verifier: verifier, Redirect: redirect, Created: now()})
	ttl := max(config.Current().PKCETTL, 2*time.Minute)
	_, err := p.cf.KV.Namespaces.Values.Update(ctx, p.namespace, pkceKey(state), kv.NamespaceValueUpdateParams{ // DEBATABLE kvsession
		AccountID:     cloudflare.F(p.accountID),
		Value:         cloudflare.F(string(b)),
		ExpirationTTL: cloudflare.F(ttl.Seconds()),
	})
	if err != nil {
		return "", fmt.Errorf("authorlogin: store verifier: %w", err)
	}
	sum := sha256.Sum256([]byte(verifier))
	q := url.Values{
		"response_type": {"code"}, "client_id": {p.clientID}, "redirect_uri": {p.callbackURL},
		"scope": {"openid email profile"}, "state": {state},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"},
	}
	return p.issuer + "/authorize?" + q.Encode(), nil
}

// Complete exchanges code using the stored verifier.
func (p *PKCE) Complete(ctx context.Context, state, code string) (Identity, string, error) {
	raw, err := p.read(ctx, pkceKey(state))
	if cfkv.IsNotFound(err) {
		return Identity{}, "", ErrUnknownState
	}
	if err != nil {
		return Identity{}, "", err
	}
	var pd pending
	if err := json.Unmarshal(raw, &pd); err != nil {
		return Identity{}, "", fmt.Errorf("authorlogin: decode state: %w", err)
	}
	id, err := p.exchange(ctx, code, pd.Verifier)
	if err != nil {
		return id, "", err
	}
	_, err = p.cf.KV.Namespaces.Values.Delete(ctx, p.namespace, pkceKey(state), kv.NamespaceValueDeleteParams{ // EXPECT kvsession
		AccountID: cloudflare.F(p.accountID),
	})
	if err != nil && !cfkv.IsNotFound(err) {
		return Identity{}, "", err
	}
	return id, pd.Redirect, nil
}

func (p *PKCE) exchange(ctx context.Context, code, verifier string) (Identity, error) {
	form := url.Values{
		"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {p.callbackURL},
		"client_id": {p.clientID}, "code_verifier": {verifier},
	}
	res, err := p.http.PostForm(p.issuer+"/token", form)
	if err != nil {
		return Identity{}, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(res.Body, 512))
		return Identity{}, fmt.Errorf("authorlogin: token endpoint: %s: %s", res.Status, msg)
	}
	var id Identity
	if err := json.NewDecoder(res.Body).Decode(&id); err != nil {
		return Identity{}, err
	}
	if id.Email == "" {
		return Identity{}, errors.New("authorlogin: provider did not return an email")
	}
	return id, nil
}

func (p *PKCE) failures(ctx context.Context, email string) (int, error) {
	raw, err := p.read(ctx, attemptsKey(email))
	if cfkv.IsNotFound(err) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(strings.TrimSpace(string(raw)))
}

// CheckLockout refuses sign-in for an address with too many recent failures.
func (p *PKCE) CheckLockout(ctx context.Context, email string) error {
	n, err := p.failures(ctx, email)
	if err == nil && n >= maxFailures {
		err = ErrLockedOut
	}
	return err
}

// NoteFailure records a failed sign-in for email.
func (p *PKCE) NoteFailure(ctx context.Context, email string) error {
	n, err := p.failures(ctx, email)
	if err != nil {
		return err
	}
	_, err = p.cf.KV.Namespaces.Values.Update(ctx, p.namespace, attemptsKey(email), kv.NamespaceValueUpdateParams{ // EXPECT kvcounter
		AccountID:     cloudflare.F(p.accountID),
		Value:         cloudflare.F(strconv.Itoa(n + 1)),
		ExpirationTTL: cloudflare.F(float64(15 * 60)),
	})
	return err
}
