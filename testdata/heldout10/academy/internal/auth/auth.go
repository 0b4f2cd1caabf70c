// Package auth handles learner login sessions, refresh tokens, password
// resets, e-mail verification and SSO.
package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
)

var (
	ErrNoSession    = errors.New("auth: no session")
	ErrInvalidToken = errors.New("auth: invalid or expired token")
)

type ctxKey struct{}

// WithLearner stores the authenticated learner ID in ctx.
func WithLearner(ctx context.Context, learnerID string) context.Context {
	return context.WithValue(ctx, ctxKey{}, learnerID)
}

func LearnerFrom(ctx context.Context) (string, bool) {
	id, ok := ctx.Value(ctxKey{}).(string)
	return id, ok
}

func randomID() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// Users is the account database.
type Users interface {
	LookupEmail(ctx context.Context, email string) (learnerID string, err error)
	SetPassword(ctx context.Context, learnerID, password string) error
	MarkVerified(ctx context.Context, learnerID string) error
}

type Mailer interface {
	Send(ctx context.Context, to, subject, body string) error
}
