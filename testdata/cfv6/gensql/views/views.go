// Package views counts page views through a generated data layer
// (package gensql): the finding is at the write that stores the sum.
package views

import (
	"context"

	"kvlint.test/cfv6/gensql"
)

func CountView(ctx context.Context, q *gensql.Queries, page string) error {
	n, err := q.GetViewCount(ctx, page)
	if err != nil {
		return err
	}
	return q.SetViewCount(ctx, gensql.SetViewCountParams{Page: page, Count: n + 1}) // want `counter kept in KV`
}
