package kvhotkey

import (
	"context"
	"time"

	"github.com/cloudflare/cloudflare-go"
)

// An endpoint in go-kit's style: the transport decodes the request and
// hands it over as any.
type endpoint func(ctx context.Context, request any) (any, error)

type reportRequest struct {
	ID        string
	Downloads int
}

type stats struct {
	api *cloudflare.API
	rc  *cloudflare.ResourceContainer
	ns  string
}

func (s *stats) put(ctx context.Context, key, value string) error {
	_, err := s.api.WriteWorkersKVEntry(ctx, s.rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: s.ns, Key: key, Value: []byte(value)})
	return err
}

// Every report stamps one fixed key.
func (s *stats) reportEndpoint() endpoint { // want reportEndpoint:"kvhotkey"
	return func(ctx context.Context, request any) (any, error) {
		req := request.(reportRequest)
		if err := s.put(ctx, "stats:last-report", time.Now().UTC().Format(time.RFC3339)); err != nil { // want `this handler writes the same KV key on every request`
			return nil, err
		}
		return req.Downloads, nil
	}
}

// Quiet: each report under its own key.
func (s *stats) archiveEndpoint() endpoint {
	return func(ctx context.Context, request any) (any, error) {
		req := request.(reportRequest)
		return nil, s.put(ctx, "report:"+req.ID, time.Now().UTC().Format(time.RFC3339))
	}
}

type rollup struct{ Day string }

// Quiet: a job handed its work as any, not a request.
func (s *stats) rollupJob() func(ctx context.Context, work any) error {
	return func(ctx context.Context, work any) error {
		r := work.(rollup)
		return s.put(ctx, "stats:last-rollup", r.Day)
	}
}
