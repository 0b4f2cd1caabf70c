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
