package kvnull

import (
	"bytes"
	"context"
	"encoding/gob"

	"github.com/cloudflare/cloudflare-go"
)

type posting struct {
	ID     string
	Closed bool
}

type sweeper struct {
	api *cloudflare.API
	rc  *cloudflare.ResourceContainer
	ns  string
}

func (s *sweeper) get(ctx context.Context, key string) ([]byte, error) {
	return s.api.GetWorkersKV(ctx, s.rc, cloudflare.GetWorkersKVParams{NamespaceID: s.ns, Key: key})
}

func (s *sweeper) put(ctx context.Context, key string, value []byte) error {
	_, err := s.api.WriteWorkersKVEntry(ctx, s.rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: s.ns, Key: key, Value: value})
	return err
}

// The get only asks whether the posting is there; any failure is taken
// for "gone", and the tombstone, encoded with gob, replaces the posting.
func (s *sweeper) markGone(ctx context.Context, id string) error {
	key := "posting:" + id
	if _, err := s.get(ctx, key); err == nil { // want `every error of this get is taken for a missing key`
		return nil
	}
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(posting{ID: id, Closed: true}); err != nil {
		return err
	}
	return s.put(ctx, key, buf.Bytes())
}
