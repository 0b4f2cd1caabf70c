// Package pairing links consoles and TVs to player accounts with short
// codes shown on the device screen and typed into the companion app.
package pairing

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/url"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"example.com/foundry/internal/kvstore"
)

// pairingCodeSeconds is how long a code is displayed before the device
// requests a new one.
const pairingCodeSeconds = 45

var ErrUnknownCode = errors.New("pairing: unknown or expired code")

// Device describes the device asking to be paired.
type Device struct {
	DeviceID string `json:"device_id"`
	Platform string `json:"platform"`
	Model    string `json:"model"`
}

// Binding is the stored link between a device and a player.
type Binding struct {
	DeviceID string    `json:"device_id"`
	PlayerID string    `json:"player_id"`
	Linked   time.Time `json:"linked"`
}

// Service talks to the sessions namespace through the SDK.
type Service struct {
	cf        *cloudflare.Client
	accountID string
	ns        string
}

// New returns a pairing Service.
func New(cf *cloudflare.Client, accountID, namespaceID string) *Service {
	return &Service{cf: cf, accountID: accountID, ns: namespaceID}
}

// Start registers a new pairing code for d.
func (s *Service) Start(ctx context.Context, d Device) (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", err
	}
	code := fmt.Sprintf("%06d", n.Int64())
	b, _ := json.Marshal(d)
	_, err = s.cf.KV.Namespaces.Values.Update(ctx, s.ns, "pair/"+code, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(s.accountID),
		Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(b)),
		ExpirationTTL: cloudflare.F(float64(pairingCodeSeconds)), // EXPECT kvttl
	})
	return code, err
}

// Claim links the device behind code to playerID.
func (s *Service) Claim(ctx context.Context, code, playerID string) (Binding, error) {
	resp, err := s.cf.KV.Namespaces.Values.Get(ctx, s.ns, "pair/"+code, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.accountID),
	})
	if errors.Is(err, kvstore.ErrNotFound) { // EXPECT kvnull
		return Binding{}, ErrUnknownCode
	}
	if err != nil {
		return Binding{}, fmt.Errorf("pairing: read code: %w", err)
	}
	defer resp.Body.Close()
	var d Device
	if err := json.NewDecoder(io.LimitReader(resp.Body, 4096)).Decode(&d); err != nil {
		return Binding{}, fmt.Errorf("pairing: decode device: %w", err)
	}

	bind := Binding{DeviceID: d.DeviceID, PlayerID: playerID, Linked: time.Now().UTC()}
	bb, _ := json.Marshal(bind)
	_, err = s.cf.KV.Namespaces.Values.Update(ctx, s.ns, url.PathEscape("device/"+d.DeviceID), kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(bb)),
		Metadata:  cloudflare.F[any](map[string]any{"player": playerID, "platform": d.Platform}),
	})
	if err != nil {
		return Binding{}, fmt.Errorf("pairing: store binding: %w", err)
	}
	_, err = s.cf.KV.Namespaces.Values.Delete(ctx, s.ns, "pair/"+code, kv.NamespaceValueDeleteParams{ // EXPECT kvsession
		AccountID: cloudflare.F(s.accountID),
	})
	return bind, err
}
