package kvrace

import (
	"context"
	"encoding/json"
	"fmt"
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
	return s.putObject(ctx, episodeKey(ep.ID), &ep, time.Hour) // want `read-modify-write on one KV key: this put writes back a value derived from the get on line 49`
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

// Typed keys: a reminder kept beside the record, under a key made from
// the record's own, is not the record written back.
type showRef struct{ kind, id string }

func (r showRef) String() string { return r.kind + r.id }

type reminderRef struct {
	kind string
	show showRef
}

func (r reminderRef) String() string { return r.kind + r.show.String() }

type show struct {
	Ref   showRef
	Title string
}

func (s *objects) getTyped(ctx context.Context, key fmt.Stringer, v any) error {
	return s.getObject(ctx, key.String(), v)
}

func (s *objects) putTyped(ctx context.Context, key fmt.Stringer, v any, ttl time.Duration) error {
	return s.putObject(ctx, key.String(), v, ttl)
}

func (s *objects) remindOf(ctx context.Context, id string) error {
	var sh show
	if err := s.getTyped(ctx, showRef{kind: "show:", id: id}, &sh); err != nil {
		return err
	}
	sh.Title = "reminder: " + sh.Title
	return s.putTyped(ctx, reminderRef{kind: "remind:", show: sh.Ref}, &sh, time.Hour)
}
