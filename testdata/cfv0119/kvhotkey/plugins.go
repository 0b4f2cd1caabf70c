package kvhotkey

import (
	"context"
	"time"

	"example.com/libs/secrets"
	"github.com/cloudflare/cloudflare-go"
)

type engine struct {
	api *cloudflare.API
	rc  *cloudflare.ResourceContainer
	ns  string
}

func (e *engine) backend() *secrets.Backend {
	return &secrets.Backend{
		Paths:        []*secrets.Path{{Pattern: "creds/.*", Callback: e.issue}},
		PeriodicFunc: e.tidy,
	}
}

// The framework calls a path's callback on each request.
func (e *engine) issue(ctx context.Context, req *secrets.Request) (*secrets.Response, error) { // want issue:"kvhotkey"
	_, err := e.api.WriteWorkersKVEntry(ctx, e.rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: e.ns, Key: "engine:last-issue", Value: []byte(time.Now().Format(time.RFC3339))}) // want `writes the same KV key`
	return &secrets.Response{}, err
}

// Quiet: the periodic job is given a request too, but runs once a tick.
func (e *engine) tidy(ctx context.Context, req *secrets.Request) error {
	_, err := e.api.WriteWorkersKVEntry(ctx, e.rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: e.ns, Key: "engine:last-tidy", Value: []byte(time.Now().Format(time.RFC3339))})
	return err
}
