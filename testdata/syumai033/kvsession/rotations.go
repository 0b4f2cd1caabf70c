package kvsession

import (
	"crypto/rand"
	"encoding/hex"

	"github.com/syumai/workers/cloudflare/kv"
)

// DeviceTokens keeps each device's current token hash.
type DeviceTokens struct{ ns *kv.Namespace }

// Rotate replaces the device's current token: other locations keep
// accepting the old one for 60 s or more.
func (t *DeviceTokens) Rotate(device string) (string, error) { // want Rotate:"kvsession"
	var b [16]byte
	_, _ = rand.Read(b[:])
	hash := hex.EncodeToString(b[:])
	return hash, t.ns.PutString("current:"+device, hash, nil) // want `A token overwritten in KV \(rotated`
}

// Banners keeps the banner each placement shows.
type Banners struct{ ns *kv.Namespace }

// Quiet: rotating a banner replaces no credential.
func (b *Banners) Rotate(placement, banner string) error {
	return b.ns.PutString("current:"+placement, banner, nil)
}

type listenerTokens struct{ ns *kv.Namespace }

// mint issues a token and indexes it under its listener.
func (f *listenerTokens) mint(listener string) (string, error) {
	tok := rand.Text()
	return tok, f.ns.PutString("by-listener:"+listener+":"+tok, "1", nil)
}

// Quiet here: the replacement's index entry is keyed by the token that
// mint draws, not by the old one; the old token's revocation is written
// below.
func (f *listenerTokens) Rotate(old string) (string, error) { // want Rotate:"kvsession"
	listener, err := f.ns.GetString("feedtoken:"+old, nil)
	if err != nil {
		return "", err
	}
	fresh, err := f.mint(listener)
	if err != nil {
		return "", err
	}
	return fresh, f.ns.PutString("revoked:"+old, "1", nil) // want `revocation kept in KV`
}
