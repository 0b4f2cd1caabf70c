package kvrace

import (
	"context"
	"encoding/json"
	"time"

	"github.com/cloudflare/cloudflare-go"
)

// Objects decoded into what the caller gives, and written as one pair of
// a bulk request, the only write of this SDK that takes a lifetime. A
// record read under its ID and written back under its own ID field is
// read, changed and written back.
type episode struct {
	ID    string
	Title string
	Rev   int
}

type objects struct {
	api *cloudflare.API
	rc  *cloudflare.ResourceContainer
	ns  string
}

func (s *objects) getObject(ctx context.Context, key string, v any) error {
	raw, err := s.api.GetWorkersKV(ctx, s.rc, cloudflare.GetWorkersKVParams{NamespaceID: s.ns, Key: key})
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}

func (s *objects) putObject(ctx context.Context, key string, v any, ttl time.Duration) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = s.api.WriteWorkersKVEntries(ctx, s.rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: s.ns, KVs: []*cloudflare.WorkersKVPair{{Key: key, Value: string(b), ExpirationTTL: int(ttl.Seconds())}}})
	return err
}

func episodeKey(id string) string { return "ep:" + id }

func (s *objects) retitle(ctx context.Context, id, title string) error {
	var ep episode
	if err := s.getObject(ctx, episodeKey(id), &ep); err != nil {
		return err
	}
	ep.Title = title
	ep.Rev++
	return s.putObject(ctx, episodeKey(ep.ID), &ep, time.Hour) // want `read-modify-write on one KV key: this put writes back a value derived from the get on line 48`
}

// A copy made under a new ID writes a key nobody read.
func (s *objects) duplicate(ctx context.Context, id, newID string) error {
	var ep episode
	if err := s.getObject(ctx, episodeKey(id), &ep); err != nil {
		return err
	}
	ep.ID = newID
	ep.Rev = 0
	return s.putObject(ctx, episodeKey(ep.ID), &ep, time.Hour)
}
