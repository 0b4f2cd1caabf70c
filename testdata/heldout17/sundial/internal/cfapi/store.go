package cfapi

import (
	"context"
	"errors"
	"fmt"
	"time"

	"example.com/sundial/internal/storage"
)

// Store adapts a Client to the storage port, so that the services can run
// from the admin tool against the production namespace.
type Store struct {
	*Client
}

var (
	_ storage.Store      = Store{}
	_ storage.BulkWriter = Store{}
)

func params(o storage.PutOptions) PutParams {
	var p PutParams
	if o.TTL > 0 {
		p.ExpirationTTL = int(o.TTL / time.Second)
	}
	if !o.ExpireAt.IsZero() {
		p.Expiration = o.ExpireAt.Unix()
	}
	return p
}

// Get implements storage.Reader.
func (s Store) Get(ctx context.Context, key string) ([]byte, error) {
	b, err := s.GetValue(ctx, key)
	if errors.Is(err, ErrNotFound) {
		return nil, storage.ErrNotFound
	}
	return b, err
}

// Put implements storage.Writer.
func (s Store) Put(ctx context.Context, key string, value []byte, opts storage.PutOptions) error {
	return s.PutValue(ctx, key, value, params(opts))
}

// Delete implements storage.Writer.
func (s Store) Delete(ctx context.Context, key string) error {
	return s.DeleteValue(ctx, key)
}

// PutMany implements storage.BulkWriter.
func (s Store) PutMany(ctx context.Context, entries []storage.Entry) error {
	pairs := make([]BulkPair, len(entries))
	for i, e := range entries {
		p := params(e.Opts)
		pairs[i] = BulkPair{Key: e.Key, Value: string(e.Value), ExpirationTTL: p.ExpirationTTL, Expiration: p.Expiration}
	}
	res, err := s.BulkWrite(ctx, pairs)
	if err == nil && len(res.Unsuccessful) > 0 {
		err = fmt.Errorf("cfapi: bulk write left %d of %d keys unwritten", len(res.Unsuccessful), len(pairs))
	}
	return err
}
