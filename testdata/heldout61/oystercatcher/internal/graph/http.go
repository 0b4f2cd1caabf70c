package graph

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	graphql "github.com/graph-gophers/graphql-go"
	"github.com/graph-gophers/graphql-go/relay"

	"github.com/boxoffice/oystercatcher/internal/organiser"
	"github.com/boxoffice/oystercatcher/internal/ticketing"
)

type sessionCtxKey struct{}

func sessionFrom(ctx context.Context) *ticketing.OrganiserSession {
	s, _ := ctx.Value(sessionCtxKey{}).(*ticketing.OrganiserSession)
	return s
}

// Handler mounts the schema behind bearer-token authentication. Requests
// without a token are served as anonymous storefront traffic.
func Handler(root *Resolver) http.Handler {
	schema := graphql.MustParseSchema(Schema, root,
		graphql.UseFieldResolvers(),
		graphql.MaxDepth(8),
	)
	gql := &relay.Handler{Schema: schema}
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		tok, ok := strings.CutPrefix(req.Header.Get("Authorization"), "Bearer ")
		if !ok {
			gql.ServeHTTP(w, req)
			return
		}
		ctx := req.Context()
		sess, err := root.Sessions.Load(ctx, tok)
		if errors.Is(err, organiser.ErrNoSession) {
			http.Error(w, "session expired", http.StatusUnauthorized)
			return
		}
		if err != nil {
			slog.ErrorContext(ctx, "load session", "err", err)
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		if err := root.Sessions.Touch(ctx, sess); err != nil {
			slog.WarnContext(ctx, "touch session", "err", err)
		}
		gql.ServeHTTP(w, req.WithContext(context.WithValue(ctx, sessionCtxKey{}, sess)))
	})
}
