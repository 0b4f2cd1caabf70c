package kvrace

import (
	"context"
	"errors"

	"github.com/cloudflare/cloudflare-go"
)

type venueKV struct {
	api *cloudflare.API
	rc  *cloudflare.ResourceContainer
	ns  string
}

// Quiet: the default theme goes where a venue has none yet; every
// caller writes the same, so the last write loses nothing.
func (v *venueKV) EnsureTheme(ctx context.Context, venue, def string) error {
	key := "theme:" + venue
	_, err := v.api.GetWorkersKV(ctx, v.rc, cloudflare.GetWorkersKVParams{NamespaceID: v.ns, Key: key})
	var nf *cloudflare.NotFoundError
	switch {
	case err == nil:
		return nil
	case !errors.As(err, &nf):
		return err
	}
	_, err = v.api.WriteWorkersKVEntry(ctx, v.rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: v.ns, Key: key, Value: []byte(def)})
	return err
}

// Quiet: a command named for seeding writes what it is given where
// nothing is yet.
func (v *venueKV) seed(ctx context.Context, key, value string) error {
	_, err := v.api.GetWorkersKV(ctx, v.rc, cloudflare.GetWorkersKVParams{NamespaceID: v.ns, Key: key})
	var nf *cloudflare.NotFoundError
	switch {
	case err == nil:
		return nil
	case !errors.As(err, &nf):
		return err
	}
	_, err = v.api.WriteWorkersKVEntry(ctx, v.rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: v.ns, Key: key, Value: []byte(value)})
	return err
}

// The same shape, claiming a name for this request's owner, is a claim.
func (v *venueKV) claimName(ctx context.Context, name, owner string) error {
	key := "venue-name:" + name
	_, err := v.api.GetWorkersKV(ctx, v.rc, cloudflare.GetWorkersKVParams{NamespaceID: v.ns, Key: key})
	var nf *cloudflare.NotFoundError
	switch {
	case err == nil:
		return errors.New("taken")
	case !errors.As(err, &nf):
		return err
	}
	_, err = v.api.WriteWorkersKVEntry(ctx, v.rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: v.ns, Key: key, Value: []byte(owner)}) // want `check-then-create on one KV key`
	return err
}
