package graph

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/hoatzin-games/hoatzin/graph/model"
	"github.com/hoatzin-games/hoatzin/internal/keys"
	"github.com/hoatzin-games/hoatzin/internal/player"
)

type sessionKey struct{}
type tokenKey struct{}

func sessionFrom(ctx context.Context) player.Session {
	s, _ := ctx.Value(sessionKey{}).(player.Session)
	return s
}

// WithToken stores the bearer token of the request in ctx.
func WithToken(ctx context.Context, token string) context.Context {
	return context.WithValue(ctx, tokenKey{}, token)
}

func currentBoard() keys.Board {
	y, w := time.Now().UTC().ISOWeek()
	return keys.Board{Season: fmt.Sprintf("%d-w%02d", y, w), Mode: "ranked"}
}

func toLobby(id, slug, host string, members []string) *model.Lobby {
	return &model.Lobby{ID: id, Slug: slug, Host: host, Members: members, Size: len(members)}
}

// Auth implements @auth: it resolves the bearer token to a session and
// checks the role.
func (r *Resolver) Auth(ctx context.Context, obj any, next graphql.Resolver, role *model.Role) (any, error) {
	token, _ := ctx.Value(tokenKey{}).(string)
	if token == "" {
		return nil, player.ErrUnauthorized
	}
	sess, err := r.Players.Authenticate(ctx, token)
	if err != nil {
		return nil, err
	}
	if role != nil && *role == model.RoleAdmin && sess.Role != string(model.RoleAdmin) {
		return nil, player.ErrUnauthorized
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := r.Players.Touch(ctx, token); err != nil {
			r.Log.Debug("touch session", "err", err)
		}
	}()
	return next(context.WithValue(ctx, sessionKey{}, sess))
}

// CacheControl implements @cacheControl: the resolved value is published to
// KV for the edge Worker, living maxAge seconds.
func (r *Resolver) CacheControl(ctx context.Context, obj any, next graphql.Resolver, maxAge int) (any, error) {
	res, err := next(ctx)
	if err != nil || res == nil {
		return res, err
	}
	fc := graphql.GetFieldContext(ctx)
	parts := []string{"gql", fc.Field.Name}
	for name, v := range fc.Args {
		parts = append(parts, name+"="+url.QueryEscape(fmt.Sprint(v)))
	}
	k := keys.Static(strings.Join(parts, ":"))
	ttl := time.Duration(maxAge) * time.Second
	if err := r.KV.Fill(ctx, k, res, ttl); err != nil {
		r.Log.Warn("publish field", "key", string(k), "err", err)
	}
	return res, nil
}
