package kvsession

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"strings"

	"github.com/cloudflare/cloudflare-go"
)

type apiToken struct {
	ID        string
	TokenHash []byte
}

type provisioner struct {
	api *cloudflare.API
	rc  *cloudflare.ResourceContainer
	ns  string
}

// A token deprovisioned by deleting its hash, spelt in hex, from the
// namespace the edge checks: the edge keeps accepting it elsewhere.
func (p *provisioner) deprovision(ctx context.Context, t *apiToken) error { // want deprovision:"kvsession"
	_, err := p.api.DeleteWorkersKVEntry(ctx, p.rc, cloudflare.DeleteWorkersKVEntryParams{NamespaceID: p.ns, Key: hex.EncodeToString(t.TokenHash)}) // want `A token revoked or consumed by a KV delete`
	return err
}

// Quiet: an avatar's cached thumbnail, keyed by its hash in base64.
func (p *provisioner) dropThumbnail(ctx context.Context, avatarHash []byte) error {
	_, err := p.api.DeleteWorkersKVEntry(ctx, p.rc, cloudflare.DeleteWorkersKVEntryParams{NamespaceID: p.ns, Key: base64.RawURLEncoding.EncodeToString(avatarHash)})
	return err
}

// Quiet: a feature flag's name, lower-cased.
func (p *provisioner) dropFlag(ctx context.Context, flagName string) error {
	_, err := p.api.DeleteWorkersKVEntry(ctx, p.rc, cloudflare.DeleteWorkersKVEntryParams{NamespaceID: p.ns, Key: strings.ToLower(flagName)})
	return err
}
