package kvcounter

import (
	"context"
	"strconv"

	"github.com/cloudflare/cloudflare-go"
)

type tallyStore struct {
	api *cloudflare.API
	rc  *cloudflare.ResourceContainer
	ns  string
}

func (s *tallyStore) get(ctx context.Context, key string) ([]byte, error) {
	return s.api.GetWorkersKV(ctx, s.rc, cloudflare.GetWorkersKVParams{NamespaceID: s.ns, Key: key})
}

func (s *tallyStore) set(ctx context.Context, key string, v []byte) error {
	_, err := s.api.WriteWorkersKVEntry(ctx, s.rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: s.ns, Key: key, Value: v})
	return err
}

// A constructor that returns two closures over one counter: inc calls
// read, the other result, through the variable they share.
func newTally(s *tallyStore, name string) (inc func(ctx context.Context) error, read func(ctx context.Context) (int, error)) {
	key := "tally/" + name
	read = func(ctx context.Context) (int, error) {
		raw, err := s.get(ctx, key)
		if err != nil {
			return 0, err
		}
		return strconv.Atoi(string(raw))
	}
	inc = func(ctx context.Context) error {
		n, err := read(ctx)
		if err != nil {
			return err
		}
		return s.set(ctx, key, []byte(strconv.Itoa(n+1))) // want "counter kept in KV: this put writes back a count read from the same key"
	}
	return inc, read
}

// The same, each key made by a closure from the day it is given.
func newDailyTally(s *tallyStore, name string) (inc func(ctx context.Context, day string) error) {
	keyFor := func(day string) string { return "tally/" + name + "/" + day }
	read := func(ctx context.Context, day string) (int, error) {
		raw, err := s.get(ctx, keyFor(day))
		if err != nil {
			return 0, err
		}
		return strconv.Atoi(string(raw))
	}
	return func(ctx context.Context, day string) error {
		n, err := read(ctx, day)
		if err != nil {
			return err
		}
		return s.set(ctx, keyFor(day), []byte(strconv.Itoa(n+1))) // want "counter kept in KV: this put writes back a count read from the same key"
	}
}

// Quiet: yesterday's count carried into today's key.
func newRollover(s *tallyStore, name string) func(ctx context.Context, yesterday, today string) error {
	keyFor := func(day string) string { return "tally/" + name + "/" + day }
	return func(ctx context.Context, yesterday, today string) error {
		raw, err := s.get(ctx, keyFor(yesterday))
		if err != nil {
			return err
		}
		n, _ := strconv.Atoi(string(raw))
		return s.set(ctx, keyFor(today), []byte(strconv.Itoa(n+1)))
	}
}
