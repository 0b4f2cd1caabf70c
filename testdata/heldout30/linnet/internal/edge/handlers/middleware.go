//go:build js && wasm

package handlers

import (
	"context"
	"net/http"
	"time"
)

type learnerKey struct{}

func learnerFrom(ctx context.Context) string {
	id, _ := ctx.Value(learnerKey{}).(string)
	return id
}

const sessionCookie = "linnet_sess"

// authenticate resolves the session cookie and keeps active sessions alive.
func (d deps) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(sessionCookie)
		if err != nil || c.Value == "" {
			writeJSON(w, http.StatusUnauthorized, apiError{Error: "sign in required"})
			return
		}
		ctx := r.Context()
		sess, err := d.Sessions.Lookup(ctx, c.Value)
		if err != nil {
			d.fail(w, r, err)
			return
		}
		if err := d.Sessions.Touch(ctx, sess); err != nil {
			d.log.WarnContext(ctx, "session touch failed", "err", err)
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(ctx, learnerKey{}, sess.LearnerID)))
	})
}

// trackActivity records when the Worker last served a request, for the
// on-call dashboard's "is traffic flowing" tile.
func (d deps) trackActivity(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r)
		stamp := []byte(time.Now().UTC().Format(time.RFC3339))
		if err := d.store.Put(r.Context(), "stats:last-request", stamp); err != nil { // EXPECT kvhotkey
			d.log.WarnContext(r.Context(), "activity stamp failed", "err", err)
		}
	})
}
