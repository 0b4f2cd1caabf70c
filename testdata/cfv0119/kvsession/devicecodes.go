package kvsession

import (
	"context"

	"github.com/cloudflare/cloudflare-go"
)

type deviceFlow struct {
	api *cloudflare.API
	rc  *cloudflare.ResourceContainer
	ns  string
}

func (d *deviceFlow) deleteMany(ctx context.Context, keys []string) error {
	for start := 0; start < len(keys); start += 10000 {
		batch := keys[start:min(start+10000, len(keys))]
		if _, err := d.api.DeleteWorkersKVEntries(ctx, d.rc, cloudflare.DeleteWorkersKVEntriesParams{NamespaceID: d.ns, Keys: batch}); err != nil {
			return err
		}
	}
	return nil
}

func grantKey(deviceCode string) string { return "devauth:" + deviceCode }
func userCodeKey(code string) string    { return "devauth-user:" + code }
func avatarKey(user string) string      { return "avatar:" + user }
func bannerKey(user string) string      { return "banner:" + user }

// An approved device grant exchanged for a token once: its device code
// and its user code are deleted together, and stay redeemable elsewhere.
func (d *deviceFlow) exchange(ctx context.Context, deviceCode, userCode string) error { // want exchange:"kvsession"
	return d.deleteMany(ctx, []string{grantKey(deviceCode), userCodeKey(userCode)}) // want `A device code revoked or consumed by a KV delete`
}

// Quiet: a profile's cached images, deleted together.
func (d *deviceFlow) dropImages(ctx context.Context, user string) error {
	return d.deleteMany(ctx, []string{avatarKey(user), bannerKey(user)})
}
