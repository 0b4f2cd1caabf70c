// Package logout revokes sessions through a generated data layer
// (package gensql): the finding is at its call, which chooses what is
// deleted, not inside the generated code.
package logout

import (
	"context"

	"kvlint.test/cfv6/gensql"
)

func Logout(ctx context.Context, q *gensql.Queries, sessionID string) error { // want Logout:"kvsession"
	return q.DeleteSession(ctx, sessionID) // want `A session revoked or consumed by a KV delete`
}

// Through generated code that calls generated code: reported here too.
func LogoutEverywhere(ctx context.Context, q *gensql.Queries, sessionIDs []string) error { // want LogoutEverywhere:"kvsession"
	return q.DeleteSessions(ctx, sessionIDs) // want `A session revoked or consumed by a KV delete`
}
