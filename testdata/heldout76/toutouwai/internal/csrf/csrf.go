// Package csrf issues a token per rendered form and checks it on post.
package csrf

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/toutouwai/booking/internal/kvstore"
	"github.com/toutouwai/booking/internal/ui"
)

// FieldName is the hidden input carrying the token.
const FieldName = "_csrf"

// DefaultTTL suits forms a visitor fills in at leisure.
const DefaultTTL = 2 * time.Hour

// ErrInvalid is returned when a post carries no valid token.
var ErrInvalid = errors.New("csrf: invalid or expired token")

func key(sid, form, token string) string { return "csrf:" + sid + ":" + form + ":" + token }

func newToken() string {
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// Issue stores a fresh token for one form of one session.
func Issue(ctx context.Context, ns *kvstore.Namespace, sid, form string, ttl time.Duration) (string, error) {
	tok := newToken()
	if err := ns.PutTTL(ctx, key(sid, form, tok), []byte("1"), ttl); err != nil { // DEBATABLE kvsession
		return "", err
	}
	return tok, nil
}

// Field renders the hidden input; it issues the token when rendered.
func Field(ns *kvstore.Namespace, sid, form string) ui.Component {
	return ui.Func(func(ctx context.Context, w io.Writer) error {
		tok, err := Issue(ctx, ns, sid, form, DefaultTTL)
		if err != nil {
			return err
		}
		return ui.Rawf(`<input type="hidden" name="%s" value="%s">`, FieldName, tok).Render(ctx, w)
	})
}

// Check verifies the token posted with r for form and uses it up.
func Check(r *http.Request, ns *kvstore.Namespace, sid, form string) error {
	tok := r.PostFormValue(FieldName)
	if tok == "" {
		tok = r.Header.Get("X-CSRF-Token")
	}
	if tok == "" {
		return ErrInvalid
	}
	ctx := r.Context()
	k := key(sid, form, tok)
	if _, err := ns.Get(ctx, k); err != nil {
		if errors.Is(err, kvstore.ErrNotFound) {
			return ErrInvalid
		}
		return err
	}
	return ns.Delete(ctx, k) // EXPECT kvsession
}

// Verify checks the token without using it up, for inline edit rows where
// the same form posts several times.
func Verify(r *http.Request, ns *kvstore.Namespace, sid, form string) error {
	tok := r.PostFormValue(FieldName)
	if tok == "" {
		return ErrInvalid
	}
	if _, err := ns.Get(r.Context(), key(sid, form, tok)); err != nil {
		if errors.Is(err, kvstore.ErrNotFound) {
			return ErrInvalid
		}
		return err
	}
	return nil
}
