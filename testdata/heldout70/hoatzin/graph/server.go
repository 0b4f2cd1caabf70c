package graph

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/transport"

	"github.com/hoatzin-games/hoatzin/internal/keys"
	"github.com/hoatzin-games/hoatzin/internal/metrics"
)

// NewHandler builds the GraphQL HTTP handler.
func NewHandler(r *Resolver) http.Handler {
	es := NewExecutableSchema(Config{
		Resolvers: r,
		Directives: DirectiveRoot{
			Auth:         r.Auth,
			CacheControl: r.CacheControl,
		},
	})
	srv := handler.New(es)
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})
	srv.Use(extension.Introspection{})

	srv.AroundOperations(func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		oc := graphql.GetOperationContext(ctx)
		if auth := oc.Headers.Get("Authorization"); strings.HasPrefix(auth, "Bearer ") {
			ctx = WithToken(ctx, strings.TrimPrefix(auth, "Bearer "))
		}
		if oc.Operation != nil && oc.Operation.Operation == "mutation" {
			stamp := []byte(oc.OperationName + " " + time.Now().UTC().Format(time.RFC3339Nano))
			if err := r.KV.Put(ctx, keys.Static("gql:last_mutation"), stamp, 0); err != nil { // EXPECT kvhotkey
				r.Log.Debug("last mutation", "err", err)
			}
		}
		return next(ctx)
	})
	srv.AroundFields(func(ctx context.Context, next graphql.Resolver) (any, error) {
		fc := graphql.GetFieldContext(ctx)
		if fc.IsResolver {
			metrics.GraphQLFields.Add(fc.Object+"."+fc.Field.Name, 1)
		}
		return next(ctx)
	})
	return srv
}
