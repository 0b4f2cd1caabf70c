package signin

import (
	"context"
	"errors"
	"time"

	"example.com/meadow/internal/storage"
)

// ErrRefreshInvalid is returned for unknown refresh tokens.
var ErrRefreshInvalid = errors.New("signin: refresh token invalid")

// RefreshTokens backs the mobile app's long-lived sign-in.
type RefreshTokens struct {
	Store storage.Store
	TTL   time.Duration
}

func refreshKey(tok string) string { return "refresh/" + tok }

// Mint issues a new refresh token for user.
func (r RefreshTokens) Mint(ctx context.Context, user string) (string, error) {
	tok := randomToken(32)
	return tok, r.Store.Put(ctx, refreshKey(tok), []byte(user), storage.PutOptions{TTL: r.TTL})
}

// Rotate exchanges old for a new token for the same user. Stores that cannot
// delete let the old token run out its TTL.
func (r RefreshTokens) Rotate(ctx context.Context, old string) (user, next string, err error) {
	b, err := r.Store.Get(ctx, refreshKey(old))
	if storage.IsNotFound(err) {
		return "", "", ErrRefreshInvalid
	} else if err != nil {
		return "", "", err
	}
	if d, ok := r.Store.(storage.Deleter); ok {
		if err := d.Delete(ctx, refreshKey(old)); err != nil { // EXPECT kvsession
			return "", "", err
		}
	}
	next, err = r.Mint(ctx, string(b))
	return string(b), next, err
}
