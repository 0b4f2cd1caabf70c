package cfsdk

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	cfkv "github.com/cloudflare/cloudflare-go/v5/kv"

	"example.com/curlew/internal/partner"
)

// DeviceTokens holds the bearer tokens of courier handhelds. A token is
// minted when a shift starts and lives until the shift ends.
type DeviceTokens struct{ ns Namespace }

// NewDeviceTokens returns DeviceTokens on ns.
func NewDeviceTokens(ns Namespace) DeviceTokens { return DeviceTokens{ns: ns} }

// Issue stores token for courierID until shiftEnd.
func (d DeviceTokens) Issue(ctx context.Context, token, courierID string, shiftEnd time.Time) error {
	_, err := d.ns.values().Update(ctx, d.ns.id, "devtok:"+token, cfkv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(d.ns.accountID),
		Value:         cloudflare.F(courierID),
		ExpirationTTL: cloudflare.F(time.Until(shiftEnd).Seconds()), // EXPECT kvttl
	})
	return err
}

// KeyRing stores partner API keys.
type KeyRing struct{ ns Namespace }

// NewKeyRing returns a KeyRing on ns.
func NewKeyRing(ns Namespace) KeyRing { return KeyRing{ns: ns} }

// Create stores a freshly generated key.
func (k KeyRing) Create(ctx context.Context, hash string, rec partner.KeyRecord) error {
	raw, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	_, err = k.ns.values().Update(ctx, k.ns.id, "apikey:"+hash, cfkv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(k.ns.accountID),
		Value:     cloudflare.F(string(raw)),
		Metadata:  cloudflare.F[any](map[string]string{"partner": rec.PartnerID}),
	})
	return err
}

// Lookup returns the record of a key hash.
func (k KeyRing) Lookup(ctx context.Context, hash string) (partner.KeyRecord, bool, error) {
	var rec partner.KeyRecord
	raw, err := k.ns.readValue(ctx, "apikey:"+hash)
	if isMiss(err) {
		return rec, false, nil
	}
	if err != nil {
		return rec, false, err
	}
	return rec, true, json.Unmarshal(raw, &rec)
}

// Rotate replaces the key stored under oldHash with one under newHash.
func (k KeyRing) Rotate(ctx context.Context, oldHash, newHash string) error {
	rec, ok, err := k.Lookup(ctx, oldHash)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("rotate: unknown key")
	}
	rec.Created = time.Now().UTC()
	if err := k.Create(ctx, newHash, rec); err != nil {
		return err
	}
	_, err = k.ns.values().Delete(ctx, k.ns.id, "apikey:"+oldHash, cfkv.NamespaceValueDeleteParams{AccountID: cloudflare.F(k.ns.accountID)}) // EXPECT kvsession
	return err
}

// LoginGuard counts failed courier logins per phone number and locks the
// number out after too many.
type LoginGuard struct {
	ns    Namespace
	limit int
}

// NewLoginGuard returns a LoginGuard that locks after limit failures.
func NewLoginGuard(ns Namespace, limit int) LoginGuard { return LoginGuard{ns: ns, limit: limit} }

// Failed records a failed login and reports whether the number is now locked.
func (g LoginGuard) Failed(ctx context.Context, phone string) (locked bool, err error) {
	key := "login-attempts:" + phone
	n := 0
	resp, err := g.ns.values().Get(ctx, g.ns.id, key, g.ns.account())
	switch {
	case isNotFound(err):
	case err != nil:
		return false, err
	default:
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		n, _ = strconv.Atoi(string(body))
	}
	n++
	_, err = g.ns.values().Update(ctx, g.ns.id, key, cfkv.NamespaceValueUpdateParams{AccountID: cloudflare.F(g.ns.accountID), Value: cloudflare.F(strconv.Itoa(n)), ExpirationTTL: cloudflare.F(900.0)}) // EXPECT kvcounter
	return n >= g.limit, err
}
