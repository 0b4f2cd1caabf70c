package kvstore

import (
	"context"
	"errors"
	"time"

	"github.com/cloudflare/cloudflare-go"
	"github.com/gofiber/fiber/v2"
)

// FiberStorage adapts a Namespace to fiber.Storage so that fiber's session
// and limiter middleware keep their state in KV under a fixed prefix.
type FiberStorage struct {
	ns      *Namespace
	prefix  string
	timeout time.Duration
}

var _ fiber.Storage = (*FiberStorage)(nil)

// NewFiberStorage returns a storage that keeps every key under prefix.
func NewFiberStorage(ns *Namespace, prefix string) *FiberStorage {
	return &FiberStorage{ns: ns, prefix: prefix, timeout: 5 * time.Second}
}

func (s *FiberStorage) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), s.timeout)
}

// Get implements fiber.Storage. A missing key is (nil, nil).
func (s *FiberStorage) Get(key string) ([]byte, error) {
	if key == "" {
		return nil, nil
	}
	ctx, cancel := s.ctx()
	defer cancel()
	raw, err := s.ns.Get(ctx, s.prefix+key)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	return raw, err
}

// Set implements fiber.Storage.
func (s *FiberStorage) Set(key string, val []byte, exp time.Duration) error {
	if key == "" || len(val) == 0 {
		return nil
	}
	ctx, cancel := s.ctx()
	defer cancel()
	if exp <= 0 {
		return s.ns.Put(ctx, s.prefix+key, val)
	}
	return s.ns.PutTTL(ctx, s.prefix+key, val, exp)
}

// Delete implements fiber.Storage.
func (s *FiberStorage) Delete(key string) error {
	if key == "" {
		return nil
	}
	ctx, cancel := s.ctx()
	defer cancel()
	return s.ns.Delete(ctx, s.prefix+key)
}

// Reset implements fiber.Storage by deleting every key under the prefix.
func (s *FiberStorage) Reset() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	api, rc, id := s.ns.API()
	cursor := ""
	for {
		resp, err := api.ListWorkersKVKeys(ctx, rc, cloudflare.ListWorkersKVsParams{ // DEBATABLE kvlist
			NamespaceID: id,
			Prefix:      s.prefix,
			Cursor:      cursor,
		})
		if err != nil {
			return err
		}
		keys := make([]string, 0, len(resp.Result))
		for _, k := range resp.Result {
			keys = append(keys, k.Name)
		}
		if len(keys) > 0 {
			if _, err := api.DeleteWorkersKVEntries(ctx, rc, cloudflare.DeleteWorkersKVEntriesParams{NamespaceID: id, Keys: keys}); err != nil {
				return err
			}
		}
		if resp.ResultInfo.Cursor == "" {
			return nil
		}
		cursor = resp.ResultInfo.Cursor
	}
}

// Close implements fiber.Storage.
func (s *FiberStorage) Close() error { return nil }
