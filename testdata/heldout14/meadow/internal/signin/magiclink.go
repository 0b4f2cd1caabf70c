package signin

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

// ErrLinkInvalid is returned for unknown or used magic links.
var ErrLinkInvalid = errors.New("signin: magic link invalid or expired")

// magicLinkTTL is in seconds; links are meant to be clicked straight from the
// email.
const magicLinkTTL = 30

// MagicLinks issues and redeems sign-in links. It predates the storage
// package and still calls the API client itself.
type MagicLinks struct {
	Client    *cloudflare.Client
	AccountID string
	Namespace string
}

func isNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// Request stores a new link token for email and returns it.
func (m MagicLinks) Request(ctx context.Context, email string) (string, error) {
	token := randomToken(32)
	_, err := m.Client.KV.Namespaces.Values.Update(ctx, m.Namespace, "magic/"+token, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(m.AccountID),
		Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(strings.ToLower(email))),
		ExpirationTTL: cloudflare.F(float64(magicLinkTTL)), // EXPECT kvttl
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

// Consume redeems token once and returns the email it was issued for.
func (m MagicLinks) Consume(ctx context.Context, token string) (string, error) {
	key := "magic/" + token
	resp, err := m.Client.KV.Namespaces.Values.Get(ctx, m.Namespace, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(m.AccountID),
	})
	if err != nil {
		if isNotFound(err) {
			return "", ErrLinkInvalid
		}
		return "", err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return "", err
	}
	if _, err := m.Client.KV.Namespaces.Values.Delete(ctx, m.Namespace, key, kv.NamespaceValueDeleteParams{ // EXPECT kvsession
		AccountID: cloudflare.F(m.AccountID),
	}); err != nil {
		return "", err
	}
	return string(b), nil
}
