package kvrace

import (
	"context"
	"errors"

	"github.com/cloudflare/cloudflare-go"
)

type previewStore struct {
	api *cloudflare.API
	rc  *cloudflare.ResourceContainer
	ns  string
}

var errPreviewNotFound = errors.New("preview not found")

func (p *previewStore) get(ctx context.Context, key string) ([]byte, error) {
	v, err := p.api.GetWorkersKV(ctx, p.rc, cloudflare.GetWorkersKVParams{NamespaceID: p.ns, Key: key})
	var cfErr *cloudflare.NotFoundError
	if errors.As(err, &cfErr) {
		return nil, errPreviewNotFound
	}
	return v, err
}

func (p *previewStore) putMany(ctx context.Context, pairs []*cloudflare.WorkersKVPair) error {
	_, err := p.api.WriteWorkersKVEntries(ctx, p.rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: p.ns, KVs: pairs})
	return err
}

var errSlugTaken = errors.New("slug taken")

// A slug claimed by a bulk write of its record and its host entry: the
// get only checks the slug is free, and each pair of the literal is one
// key.
func (p *previewStore) create(ctx context.Context, slug, build string) error {
	key := "preview:" + slug
	if _, err := p.get(ctx, key); err == nil {
		return errSlugTaken
	} else if !errors.Is(err, errPreviewNotFound) {
		return err
	}
	record := &cloudflare.WorkersKVPair{Key: key, Value: build}
	host := &cloudflare.WorkersKVPair{Key: "host:" + slug, Value: build}
	return p.putMany(ctx, []*cloudflare.WorkersKVPair{record, host}) // want `check-then-create on one KV key`
}

// Quiet: the pairs written are other keys than the one checked.
func (p *previewStore) alias(ctx context.Context, slug, build string) error {
	if _, err := p.get(ctx, "preview:"+slug); err != nil {
		return err
	}
	a := &cloudflare.WorkersKVPair{Key: "alias:" + slug, Value: build}
	b := &cloudflare.WorkersKVPair{Key: "host:" + slug, Value: build}
	return p.putMany(ctx, []*cloudflare.WorkersKVPair{a, b})
}
