package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"github.com/kakariki-ai/kakariki/internal/kvstore"
	"github.com/kakariki-ai/kakariki/internal/tools"
)

// pendingConnect is what we remember between redirecting the user to the
// calendar provider and the provider redirecting back.
type pendingConnect struct {
	UserID   string `json:"user_id"`
	Verifier string `json:"verifier"`
	Return   string `json:"return"`
}

// Exchanger trades an authorization code for tokens.
type Exchanger interface {
	Exchange(ctx context.Context, code, verifier string) (tools.OAuthToken, error)
}

// Connector runs the calendar OAuth flow.
type Connector struct {
	KV       *kvstore.Store
	AuthURL  string
	ClientID string
	Exchange Exchanger
}

const stateLifetime = 10 * time.Minute

func stateKey(state string) string { return "oauth-state:" + state }

// Begin returns the provider URL to redirect the user to.
func (c *Connector) Begin(ctx context.Context, user, returnTo string) (string, error) {
	state := rand.Text()
	p := pendingConnect{UserID: user, Verifier: rand.Text() + rand.Text(), Return: returnTo}
	raw, err := json.Marshal(p)
	if err != nil {
		return "", err
	}
	_, err = c.KV.Client().KV.Namespaces.Values.Update(ctx, c.KV.NamespaceID(), stateKey(state), kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(c.KV.AccountID()),
		Value:      cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(raw)),
		Expiration: cloudflare.F(float64(time.Now().Add(stateLifetime).UnixMilli())), // EXPECT kvttl
	})
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(p.Verifier))
	challenge := base64.RawURLEncoding.EncodeToString(sum[:])
	return fmt.Sprintf("%s?client_id=%s&state=%s&code_challenge=%s&code_challenge_method=S256&response_type=code",
		c.AuthURL, c.ClientID, state, challenge), nil
}

// Finish completes the flow and stores the user's calendar grant. It returns
// where to send the browser next.
func (c *Connector) Finish(ctx context.Context, state, code string) (string, error) {
	var p pendingConnect
	if err := c.KV.GetJSON(ctx, stateKey(state), &p); err != nil {
		if errors.Is(err, kvstore.ErrNotFound) {
			return "", errors.New("auth: unknown or expired state")
		}
		return "", err
	}
	if err := c.KV.Delete(ctx, stateKey(state)); err != nil { // EXPECT kvsession
		return "", err
	}
	tok, err := c.Exchange.Exchange(ctx, code, p.Verifier)
	if err != nil {
		return "", err
	}
	if err := c.KV.PutJSON(ctx, tools.TokenKey(p.UserID), tok, 0); err != nil { // DEBATABLE kvsession
		return "", err
	}
	return p.Return, nil
}

// APIKeys manages the personal API keys users create for scripts.
type APIKeys struct {
	KV *kvstore.Store
}

const revokedKeysKey = "revoked:apikeys"

// Revoke adds key ID to the revocation list the API checks.
func (a *APIKeys) Revoke(ctx context.Context, keyID string) error {
	return a.KV.AppendLine(ctx, revokedKeysKey, keyID, 0) // EXPECT kvsession
}

// Issue creates a key for user and returns the secret shown once.
func (a *APIKeys) Issue(ctx context.Context, user, label string) (string, error) {
	id := rand.Text()[:12]
	secret := "kk_" + rand.Text()
	sum := sha256.Sum256([]byte(secret))
	rec := map[string]string{"user_id": user, "label": label, "hash": base64.RawStdEncoding.EncodeToString(sum[:])}
	if err := a.KV.PutJSON(ctx, "apikey:"+id, rec, 0); err != nil {
		return "", err
	}
	return id + "." + secret, nil
}
