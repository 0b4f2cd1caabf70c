package portal

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/meridiancare/knot/internal/kvstore"
	"github.com/meridiancare/knot/internal/portal/portalapi"
)

// SlidingSession keeps an active patient signed in: every successful call
// made with a session cookie pushes the session's expiry out by ttl, so an
// intake form that takes an hour does not end on a sign-in page.
func SlidingSession(sessions *kvstore.Namespace, ttl time.Duration) portalapi.StrictMiddlewareFunc {
	return func(f portalapi.StrictHandlerFunc, operationID string) portalapi.StrictHandlerFunc {
		if operationID == "Logout" || operationID == "RequestMagicLink" || operationID == "RedeemMagicLink" {
			return f
		}
		return func(ctx context.Context, w http.ResponseWriter, r *http.Request, request interface{}) (interface{}, error) {
			resp, err := f(ctx, w, r, request)
			if err != nil {
				return resp, err
			}
			c, cerr := r.Cookie(portalapi.SessionCookie)
			if cerr != nil {
				return resp, nil
			}
			key := "sess:" + c.Value
			var sess Session
			if found, gerr := sessions.GetJSON(ctx, key, &sess); gerr != nil || !found {
				return resp, nil
			}
			sess.LastSeen = time.Now().UTC()
			if perr := sessions.PutJSON(ctx, key, sess, ttl); perr != nil { // EXPECT kvsession
				slog.WarnContext(ctx, "session refresh failed", "op", operationID, "err", perr)
			}
			return resp, nil
		}
	}
}

// ErrorHandler maps handler errors to a JSON problem response.
func ErrorHandler(w http.ResponseWriter, r *http.Request, err error) {
	slog.ErrorContext(r.Context(), "portal request failed", "path", r.URL.Path, "err", err)
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(http.StatusInternalServerError)
	_, _ = w.Write([]byte(`{"title":"The portal could not complete that request","status":500}`))
}
