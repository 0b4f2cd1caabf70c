package session

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"example.com/beacon/internal/consts"
)

var ErrResetInvalid = errors.New("session: reset link invalid or expired")

// PasswordSetter changes a user's password in the account database.
type PasswordSetter interface {
	SetPassword(ctx context.Context, userID, password string) error
}

// Resets completes password-reset links. The accounts service mints the
// links and writes their records to the sessions namespace; beacon reads and
// spends them with the API client directly.
type Resets struct {
	Client      *cloudflare.Client
	AccountID   string
	NamespaceID string
	Passwords   PasswordSetter
}

type resetRecord struct {
	UserID string `json:"uid"`
}

// Complete sets the new password if token is valid, then spends the token.
func (r *Resets) Complete(ctx context.Context, token, password string) error {
	key := consts.PrefixReset.Key(token)
	res, err := r.Client.KV.Namespaces.Values.Get(ctx, r.NamespaceID, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(r.AccountID),
	})
	var apiErr *cloudflare.Error
	if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
		return ErrResetInvalid
	}
	if err != nil {
		return err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	var rec resetRecord
	if err := json.Unmarshal(raw, &rec); err != nil {
		return ErrResetInvalid
	}
	if err := r.Passwords.SetPassword(ctx, rec.UserID, password); err != nil {
		return err
	}
	_, err = r.Client.KV.Namespaces.Values.Delete(ctx, r.NamespaceID, key, kv.NamespaceValueDeleteParams{ // EXPECT kvsession
		AccountID: cloudflare.F(r.AccountID),
	})
	return err
}
