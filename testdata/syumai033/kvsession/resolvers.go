package kvsession

import (
	"crypto/rand"

	"github.com/syumai/workers/cloudflare/kv"
)

type deviceID string

type fleetResolver struct{ ns *kv.Namespace }

// A resolver whose arguments a GraphQL library fills by reflection: the
// device's secret replaced under the device's key.
func (r *fleetResolver) RotateDeviceSecret(args struct{ DeviceID deviceID }) (string, error) { // want RotateDeviceSecret:"kvsession"
	secret := rand.Text()
	return secret, r.ns.PutString("devtoken:"+string(args.DeviceID), secret, nil) // want `A device token overwritten in KV \(rotated`
}

// Quiet: a banner rotated under the placement's key holds no credential.
func (r *fleetResolver) RotateBanner(args *struct{ Placement, Banner string }) error {
	return r.ns.PutString("banner:"+args.Placement, args.Banner, nil)
}
