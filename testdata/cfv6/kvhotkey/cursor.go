package kvhotkey

import (
	"context"
	"io"
	"slices"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
)

func (s *syncer) get(ctx context.Context, key string) (string, error) {
	resp, err := s.client.KV.Namespaces.Values.Get(ctx, s.ns, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.account)})
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

// A cursor read once, then saved after every event delivered: the writes
// are the hot key, not a race with the read.
func (s *syncer) relay(ctx context.Context, stream string, events []int, deliver func(int) error) error { // want relay:"kvhotkey"
	last, err := s.get(ctx, "cursor:"+stream)
	if err != nil {
		return err
	}
	after, _ := strconv.Atoi(last)
	for _, ev := range events {
		if ev <= after {
			continue
		}
		if err := deliver(ev); err != nil {
			return err
		}
		if err := s.put(ctx, "cursor:"+stream, strconv.Itoa(ev)); err != nil { // want `this loop writes the same KV key on every iteration`
			return err
		}
	}
	return nil
}

// addTag reads an account's tags and writes them back with one more.
func (s *syncer) addTag(ctx context.Context, account, tag string) error {
	cur, err := s.get(ctx, "tags:"+account)
	if err != nil {
		return err
	}
	if slices.Contains([]string{cur}, tag) {
		return nil
	}
	return s.put(ctx, "tags:"+account, cur+","+tag)
}

// A wrapper that reads and writes one key, called for every tag: its own
// read-modify-write is judged inside it; the loop writes the key once
// per tag.
func (s *syncer) tagAll(ctx context.Context, account string, tags []string) error { // want tagAll:"kvhotkey"
	for _, tag := range tags {
		if err := s.addTag(ctx, account, tag); err != nil { // want `this loop writes the same KV key on every iteration`
			return err
		}
	}
	return nil
}

// allow counts the calls to a site in the current minute: a count read
// and written back under a key made from the clock, the counter's
// finding inside it, not a hot key at each call in a loop.
func (s *syncer) allow(ctx context.Context, site string, perMinute int) (bool, error) {
	key := "quota:" + site + ":" + time.Now().UTC().Format("200601021504")
	cur, err := s.get(ctx, key)
	if err != nil {
		return false, err
	}
	n, _ := strconv.Atoi(cur)
	if n >= perMinute {
		return false, nil
	}
	return true, s.put(ctx, key, strconv.Itoa(n+1))
}

func (s *syncer) pushAll(ctx context.Context, site string, nights []string, send func(string) error) error {
	for _, night := range nights {
		ok, err := s.allow(ctx, site, 60)
		if err != nil || !ok {
			return err
		}
		if err := send(night); err != nil {
			return err
		}
	}
	return nil
}
