package kvttl

import (
	"context"
	"time"

	"kvlint.test/cfv6/builder"
)

// A builder that keeps the lifetime in a struct of settings it holds
// (op.opts.TTL = d): the put reads the argument of Expire.
func saveDraft(ctx context.Context, s *builder.Store, id string, body []byte) error {
	return s.Set("draft:" + id).Value(body).Expire(20 * time.Second).Do(ctx) // want `below KV.s 60-second minimum`
}

func saveNote(ctx context.Context, s *builder.Store, id string, body []byte) error {
	return s.Set("note:" + id).Value(body).Expire(10 * time.Minute).Do(ctx)
}

func saveForever(ctx context.Context, s *builder.Store, id string, body []byte) error {
	return s.Set("doc:" + id).Value(body).Do(ctx)
}
